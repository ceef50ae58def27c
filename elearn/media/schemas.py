"""Request and response shapes of the media API."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from elearn import filetypes
from elearn.courses.queries.read_models import MEDIA_URL
from elearn.filetypes import MediaKind
from elearn.media.models import MediaAsset, MediaStatus
from elearn.media.service import FILENAME_MAX, AssetFilter, NewUpload
from elearn.pagination import PageArgs
from elearn.schemas import Id, Integer, StrictSchema, text


class UploadRequestSchema(StrictSchema):
    course_id = Id(required=True)
    filename = text(
        FILENAME_MAX,
        required=True,
        metadata={"description": "The file's name, used only to name downloads"},
    )
    content_type = ma.fields.String(
        required=True, validate=ma.validate.OneOf(filetypes.CONTENT_TYPES)
    )
    size = Integer(
        maximum=2**63 - 1,
        required=True,
        validate=ma.validate.Range(min=1),
        metadata={"description": "Bytes; the upload must have exactly this size"},
    )

    @ma.post_load
    def _to_upload(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {
            "course_id": data["course_id"],
            "upload": NewUpload(data["filename"], data["content_type"], data["size"]),
        }


class CompleteSchema(StrictSchema):
    sha256 = ma.fields.String(
        load_default=None,
        validate=ma.validate.Regexp(r"^[0-9a-fA-F]{64}$", error="Expected 64 hex digits."),
        metadata={"description": "SHA-256 of the file; when given, the upload must match it"},
    )

    @ma.post_load
    def _lower(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {"sha256": data["sha256"].lower() if data["sha256"] else None}


class MediaListArgs(PageArgs):
    status = ma.fields.Enum(MediaStatus, by_value=True)
    kind = ma.fields.Enum(MediaKind, by_value=True)

    @ma.post_load
    def _to_filter(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["criteria"] = AssetFilter(data.pop("status", None), data.pop("kind", None))
        return data


class LessonMediaRequestSchema(StrictSchema):
    media_asset_id = Id(
        required=True,
        allow_none=True,
        metadata={"description": "A ready asset of the lesson's course; null removes the media"},
    )


def content_path(asset: MediaAsset) -> str | None:
    return MEDIA_URL.format(asset.id) if asset.status == MediaStatus.READY else None


class MediaAssetSchema(ma.Schema):
    id = Id()
    course_id = Id()
    kind = ma.fields.String()
    status = ma.fields.String()
    rejection = ma.fields.String(allow_none=True, metadata={"description": "Why it was rejected"})
    filename = ma.fields.String()
    content_type = ma.fields.String()
    declared_size = Integer()
    size = Integer(allow_none=True)
    sha256 = ma.fields.String(allow_none=True)
    created_by_id = Id(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    completed_at = ma.fields.AwareDateTime(allow_none=True)
    content_url = ma.fields.Function(
        content_path,
        allow_none=True,
        metadata={"description": "Where a ready asset is fetched (a redirect to the file)"},
    )


class PresignedUploadSchema(ma.Schema):
    url = ma.fields.String()
    form_fields = ma.fields.Dict(
        data_key="fields",
        attribute="fields",
        keys=ma.fields.String(),
        values=ma.fields.String(),
        metadata={"description": "Send each as a form field, then the file as 'file', last"},
    )
    expires_at = ma.fields.AwareDateTime()


class StartedUploadSchema(ma.Schema):
    asset = ma.fields.Nested(MediaAssetSchema)
    upload = ma.fields.Nested(PresignedUploadSchema)


class LessonMediaSchema(ma.Schema):
    lesson_id = Id()
    media = ma.fields.Nested(MediaAssetSchema, allow_none=True)
