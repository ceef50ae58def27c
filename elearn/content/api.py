"""Content package endpoints: import a package zip, export a course as one."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint

from elearn import policy
from elearn.accounts.identity import current_actor
from elearn.config import current_settings
from elearn.content import files
from elearn.content.files import PackageLimits
from elearn.content.schemas import ImportResultSchema, PackageOptionsSchema, PackageUploadSchema
from elearn.content.service import exporting, importing
from elearn.courses.service import authoring

content_blp = Blueprint(
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


@content_blp.route("/import", methods=["POST"])
@accepts_package_upload
@content_blp.arguments(PackageOptionsSchema, location="form")
@content_blp.arguments(PackageUploadSchema, location="files")
@content_blp.response(200, ImportResultSchema)
def import_package(options: dict[str, Any], upload: dict[str, Any]) -> importing.ImportResult:
    """Create or update the course of a package zip (``package``), optionally publishing it.

    Multipart: with a cookie session send ``X-Requested-With`` too. A package with any problem
    is refused whole (422 naming each file and field; 413 beyond the size limits).
    """
    actor = current_actor()
    policy.authorize(policy.courses.create.check(actor))
    limits = PackageLimits.from_settings(current_settings())
    package_files = files.read_zip(upload["package"].stream, limits)
    return importing.import_package(actor, package_files, publish=options["publish"])


@content_blp.route("/<int:course_id>/export")
@content_blp.response(200, content_type="application/zip", description="The package zip")
def export_package(course_id: int) -> Response:
    """The course as a package zip (owners and admins); 409 lists what is missing first."""
    actor = current_actor()
    course = authoring.find_course(course_id)
    policy.authorize(policy.courses.visible.check(actor, course), hide=True, what="course")
    policy.authorize(policy.courses.edit.check(actor, course))
    archive = files.zip_bytes(exporting.export_package(course))
    return Response(
        archive,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{course.slug}.zip"'},
    )
