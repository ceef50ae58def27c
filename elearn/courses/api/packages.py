"""Content package endpoints: import a package zip, export a course as one."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, request

from elearn import policy
from elearn.accounts.identity import current_actor
from elearn.config import current_settings
from elearn.courses.api.access import editable_course
from elearn.courses.packages import exporter, files, importer
from elearn.courses.packages.files import PackageLimits
from elearn.courses.schemas import ImportResultSchema, PackageUploadSchema
from elearn.inputs import Blueprint

packages_blp = Blueprint(
    "course-packages",
    __name__,
    url_prefix="/api/v1/courses",
    description="Content packages (docs/content-format.md)",
)
MULTIPART_OVERHEAD = 64 * 1024


def accepts_package_upload(view: Callable[..., Any]) -> Callable[..., Any]:
    """Raise this request's body limit from the JSON default to the package zip limit."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        request.max_content_length = current_settings().package_max_bytes + MULTIPART_OVERHEAD
        return view(*args, **kwargs)

    return wrapper


@packages_blp.route("/import", methods=["POST"])
@accepts_package_upload
@packages_blp.arguments(PackageUploadSchema, location="multipart")
@packages_blp.response(200, ImportResultSchema)
def import_package(upload: dict[str, Any]) -> importer.ImportResult:
    """Create or update the course of a package zip (``package``), optionally publishing it.

    Multipart: with a cookie session send ``X-Requested-With`` too. A package with any problem
    is refused whole (422 naming each file and field; 413 beyond the size limits).
    """
    actor = current_actor()
    policy.authorize(policy.can_create_courses(actor))
    limits = PackageLimits.from_settings(current_settings())
    package_files = files.read_zip(upload["package"].stream, limits)
    return importer.import_package(actor, package_files, publish=upload["publish"])


@packages_blp.route("/<int:course_id>/export")
@packages_blp.response(200, content_type="application/zip", description="The package zip")
def export_package(course_id: int) -> Response:
    """The course as a package zip (owners and admins); 409 lists what is missing first."""
    course = editable_course(current_actor(), course_id)
    archive = files.zip_bytes(exporter.export_package(course))
    return Response(
        archive,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{course.slug}.zip"'},
    )
