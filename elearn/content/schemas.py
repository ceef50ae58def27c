"""Request and response shapes of package import and export."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload


class PackageUploadSchema(ma.Schema):
    package = Upload(required=True, metadata={"description": "The package folder as a zip"})


class PackageOptionsSchema(ma.Schema):
    publish = ma.fields.Boolean(load_default=False)


class ImportResultSchema(ma.Schema):
    course_id = ma.fields.Integer()
    slug = ma.fields.String()
    created = ma.fields.Boolean()
    status = ma.fields.String()
    lessons_created = ma.fields.Integer()
    lessons_kept = ma.fields.Integer()
    lessons_archived = ma.fields.Integer()
    lessons_deleted = ma.fields.Integer()
    warnings = ma.fields.List(
        ma.fields.String(),
        metadata={"description": "Graded quizzes a trainee could pass by copying (not refused)"},
    )
