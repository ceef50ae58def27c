"""Request and response shapes of package import and export."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

from elearn.schemas import Id, Integer


class PackageUploadSchema(ma.Schema):
    package = Upload(required=True, metadata={"description": "The package folder as a zip"})
    publish = ma.fields.Boolean(load_default=False)


class ImportResultSchema(ma.Schema):
    course_id = Id()
    slug = ma.fields.String()
    created = ma.fields.Boolean()
    status = ma.fields.String()
    lessons_created = Integer()
    lessons_kept = Integer()
    lessons_archived = Integer()
    lessons_deleted = Integer()
    warnings = ma.fields.List(
        ma.fields.String(),
        metadata={"description": "Graded quizzes a trainee could pass by copying (not refused)"},
    )
