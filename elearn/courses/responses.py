"""Response shapes of the courses API; they dump the read models of ``views``."""

from __future__ import annotations

import marshmallow as ma


class CourseCardSchema(ma.Schema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    code = ma.fields.String()
    status = ma.fields.String()
    default_language = ma.fields.String()
    languages = ma.fields.List(ma.fields.String())
    language = ma.fields.String(metadata={"description": "The language of this representation"})
    title = ma.fields.String()
    summary = ma.fields.String()
    topics = ma.fields.List(ma.fields.String())
    estimated_minutes = ma.fields.Integer()
    updated_at = ma.fields.AwareDateTime()


class LessonItemSchema(ma.Schema):
    id = ma.fields.Integer()
    key = ma.fields.String()
    kind = ma.fields.String()
    position = ma.fields.Integer(allow_none=True)
    title = ma.fields.String()
    minutes = ma.fields.Integer(allow_none=True)
    required = ma.fields.Boolean()
    url = ma.fields.String(allow_none=True)
    archived_at = ma.fields.AwareDateTime(allow_none=True)


class ModuleItemSchema(ma.Schema):
    id = ma.fields.Integer()
    key = ma.fields.String()
    position = ma.fields.Integer(allow_none=True)
    title = ma.fields.String()
    titles = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    archived_at = ma.fields.AwareDateTime(allow_none=True)
    lessons = ma.fields.List(ma.fields.Nested(LessonItemSchema))


class OutlineSchema(ma.Schema):
    language = ma.fields.String()
    modules = ma.fields.List(ma.fields.Nested(ModuleItemSchema))


class OwnerSchema(ma.Schema):
    id = ma.fields.Integer()
    full_name = ma.fields.String()
    email = ma.fields.String()


class CourseEditingSchema(ma.Schema):
    owners = ma.fields.List(ma.fields.Nested(OwnerSchema))
    administrations = ma.fields.List(ma.fields.String())
    translations = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Dict())


class CourseDetailSchema(CourseCardSchema):
    objectives = ma.fields.List(ma.fields.String())
    pass_mark = ma.fields.Integer()
    completion = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    due_days = ma.fields.Integer(allow_none=True)
    published_at = ma.fields.AwareDateTime(allow_none=True)
    modules = ma.fields.List(ma.fields.Nested(ModuleItemSchema))
    editing = ma.fields.Nested(
        CourseEditingSchema,
        allow_none=True,
        metadata={"description": "Owners, restriction and raw texts; only for editors"},
    )


class LessonContentSchema(ma.Schema):
    id = ma.fields.Integer()
    course_id = ma.fields.Integer()
    module_id = ma.fields.Integer()
    key = ma.fields.String()
    kind = ma.fields.String()
    position = ma.fields.Integer(allow_none=True)
    required = ma.fields.Boolean()
    minutes = ma.fields.Integer(allow_none=True)
    url = ma.fields.String(allow_none=True)
    media_url = ma.fields.String(
        allow_none=True, metadata={"description": "The video or document, for those who see it"}
    )
    has_quiz = ma.fields.Boolean()
    archived_at = ma.fields.AwareDateTime(allow_none=True)
    language = ma.fields.String(metadata={"description": "The language of this representation"})
    title = ma.fields.String()
    html = ma.fields.String(metadata={"description": "The body rendered to sanitized HTML"})
    translations = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Dict(),
        allow_none=True,
        metadata={"description": "Title and Markdown body per language; only for editors"},
    )


class ImportResultSchema(ma.Schema):
    course_id = ma.fields.Integer()
    slug = ma.fields.String()
    created = ma.fields.Boolean()
    status = ma.fields.String()
    lessons_created = ma.fields.Integer()
    lessons_kept = ma.fields.Integer()
    lessons_archived = ma.fields.Integer()
    lessons_deleted = ma.fields.Integer()
