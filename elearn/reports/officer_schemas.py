"""Shapes of the reports on officers' standing: transcripts and the course-by-officer matrix."""

from __future__ import annotations

import marshmallow as ma

from elearn.accounts.schemas import administration_code_field
from elearn.pagination import PageArgs
from elearn.schemas import Integer, StrictSchema, language


class GradesSchema(ma.Schema):
    best = ma.fields.Float(allow_none=True)
    last = ma.fields.Float(allow_none=True)
    attempts = Integer()


class TranscriptCertificateSchema(ma.Schema):
    code = ma.fields.String()
    status = ma.fields.String()
    issued_at = ma.fields.AwareDateTime()
    verification_url = ma.fields.String()


class TranscriptEntrySchema(ma.Schema):
    course_id = Integer()
    course_code = ma.fields.String()
    course_title = ma.fields.String()
    run_name = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    source = ma.fields.String()
    progress_percent = Integer()
    enrolled_at = ma.fields.AwareDateTime()
    due_at = ma.fields.AwareDateTime()
    completed_at = ma.fields.AwareDateTime()
    grades = ma.fields.Nested(GradesSchema)
    certificates = ma.fields.List(ma.fields.Nested(TranscriptCertificateSchema))


class TranscriptSchema(ma.Schema):
    user_id = Integer()
    full_name = ma.fields.String()
    administration = ma.fields.String(allow_none=True)
    language = ma.fields.String(metadata={"description": "The language of the course titles"})
    entries = ma.fields.List(ma.fields.Nested(TranscriptEntrySchema))


class TranscriptArgs(StrictSchema):
    lang = language(load_default=None)


class MatrixArgs(PageArgs):
    administration = administration_code_field(
        load_default=None, metadata={"description": "Contact points: their own (the default)"}
    )
    run_id = Integer(load_default=None)


class MatrixRowSchema(ma.Schema):
    user_id = Integer()
    full_name = ma.fields.String()
    administration = ma.fields.String(allow_none=True)
    run_id = Integer(allow_none=True)
    status = ma.fields.String()
    progress_percent = Integer()
    due_at = ma.fields.AwareDateTime()
    completed_at = ma.fields.AwareDateTime()
    last_activity_at = ma.fields.AwareDateTime()
    grades = ma.fields.Nested(GradesSchema)


class TranscriptDocumentSchema(ma.Schema):
    id = Integer()
    user_id = Integer()
    language = ma.fields.String()
    status = ma.fields.String(metadata={"description": "pending, ready or failed"})
    created_at = ma.fields.AwareDateTime()
    rendered_at = ma.fields.AwareDateTime(allow_none=True)
