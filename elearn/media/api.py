"""Media endpoints: uploads and their completion, downloads, course lists, lesson media."""

from __future__ import annotations

from typing import Any

from flask import redirect
from werkzeug.wrappers import Response

from elearn import policy
from elearn.accounts.identity import current_actor
from elearn.accounts.models import User
from elearn.courses.models import Course
from elearn.courses.service import authoring
from elearn.errors import Unprocessable
from elearn.inputs import Blueprint
from elearn.media import service
from elearn.media.models import MediaAsset
from elearn.media.schemas import (
    CompleteSchema,
    LessonMediaRequestSchema,
    LessonMediaSchema,
    MediaAssetSchema,
    MediaListArgs,
    StartedUploadSchema,
    UploadRequestSchema,
)
from elearn.pagination import paginated

media_blp = Blueprint(
    "media", __name__, url_prefix="/api/v1", description="Media: uploads, downloads, lesson media"
)


def _managed_course(actor: User, course_id: int) -> Course:
    """The course if ``actor`` manages its media: 404 when they cannot see it, 403 when only see."""
    course = authoring.find_course(course_id)
    policy.authorize(policy.courses.visible.check(actor, course), hide=True, what="course")
    policy.authorize(policy.media.manage.check(actor, course))
    return course


def _managed_asset(actor: User, asset_id: int) -> MediaAsset:
    """An asset of a course ``actor`` manages; to anyone else it does not exist."""
    asset = service.find_asset(asset_id)
    policy.authorize(policy.media.manage.check(actor, asset.course), hide=True, what="media asset")
    return asset


@media_blp.route("/media", methods=["POST"])
@media_blp.arguments(UploadRequestSchema)
@media_blp.response(201, StartedUploadSchema)
def start_upload(body: dict[str, Any]) -> service.StartedUpload:
    """Start an upload (course owners and admins): a pending asset and a presigned form POST.

    POST every field of ``upload.fields`` and then the file as the field ``file`` to
    ``upload.url`` before ``upload.expires_at``; the storage server refuses any other content
    type and anything larger than ``size``. Then call ``/media/{id}/complete``.
    """
    actor = current_actor()
    course = _managed_course(actor, body["course_id"])
    return service.start_upload(actor, course, body["upload"])


@media_blp.route("/media/<int:asset_id>", methods=["GET"])
@media_blp.response(200, MediaAssetSchema)
def get_asset(asset_id: int) -> MediaAsset:
    """One asset and its status (course owners and admins)."""
    return _managed_asset(current_actor(), asset_id)


@media_blp.route("/media/<int:asset_id>/complete", methods=["POST"])
@media_blp.arguments(CompleteSchema)
@media_blp.response(200, MediaAssetSchema)
def complete_upload(body: dict[str, Any], asset_id: int) -> MediaAsset:
    """Check the uploaded file and mark the asset ready (course owners and admins).

    The file must exist, have the declared size, match ``sha256`` when given, and start with
    the signature of its declared type. Otherwise it is deleted, the asset is rejected and the
    answer is 422 naming the reason. Completing again gives the same answer.
    """
    asset = _managed_asset(current_actor(), asset_id)
    verdict = service.complete_upload(asset, body["sha256"])
    if verdict.rejection is not None:
        raise Unprocessable(
            f"The upload was rejected and deleted: {verdict.rejection}",
            extra={"rejection": verdict.rejection},
        )
    return verdict.asset


@media_blp.route("/media/<int:asset_id>/content", methods=["GET"])
@media_blp.response(
    302, description="Redirect to a download URL valid for five minutes (Cache-Control: no-store)"
)
def get_content(asset_id: int) -> Response:
    """The file of an asset: course owners and admins, and whoever may see a lesson showing it."""
    actor = current_actor()
    asset = service.find_asset(asset_id)
    shown = service.shown_in_a_lesson(asset)
    policy.authorize(
        policy.media.can_download(actor, asset.course, used_in_a_lesson=shown),
        hide=True,
        what="media asset",
    )
    response = redirect(service.download_url(asset), 302)
    # The URL is a short-lived credential: no cache may keep or replay it.
    response.headers["Cache-Control"] = "no-store"
    return response


@media_blp.route("/courses/<int:course_id>/media", methods=["GET"])
@media_blp.arguments(MediaListArgs, location="query")
@media_blp.response(200, MediaAssetSchema(many=True))
def list_assets(args: dict[str, Any], course_id: int) -> Any:
    """A course's media assets, newest first (course owners and admins)."""
    course = _managed_course(current_actor(), course_id)
    return paginated(service.list_assets(course, args["criteria"], args["page_request"]))


@media_blp.route("/lessons/<int:lesson_id>/media", methods=["PUT"])
@media_blp.arguments(LessonMediaRequestSchema)
@media_blp.response(200, LessonMediaSchema)
def set_lesson_media(body: dict[str, Any], lesson_id: int) -> service.LessonMedia:
    """Show a ready asset of the same course in a video or document lesson, or none (null)."""
    lesson = service.find_lesson(lesson_id)
    _managed_course(current_actor(), lesson.course_id)
    return service.attach_media(lesson, body["media_asset_id"])
