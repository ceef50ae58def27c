"""Request shapes of the courses API: query arguments, course, module and lesson input."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from elearn.accounts.schemas import administration_code_field
from elearn.config import current_settings
from elearn.courses import rules
from elearn.courses.models import CourseStatus, LessonKind, LessonRule, QuizRule
from elearn.courses.queries.catalogue import CatalogueFilter, CatalogueSort
from elearn.courses.service.authoring import CourseText
from elearn.courses.service.outline import LessonText
from elearn.formats.fields import KEY_PATTERN, KEY_RULE
from elearn.pagination import PageArgs
from elearn.schemas import ChangesSchema, Id, Integer, StrictSchema, text


class ContentLanguage(ma.fields.String):
    """One of the configured content languages (``ELEARN_LANGUAGES``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        language: str = super()._deserialize(value, attr, data, **kwargs)
        languages = current_settings().languages
        if language not in languages:
            raise ma.ValidationError(f"Must be one of {', '.join(languages)}.")
        return language


def key_field(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(
        validate=ma.validate.Regexp(KEY_PATTERN, error=f"Keys are {KEY_RULE}."),
        **kwargs,
    )


def per_language(values: ma.fields.Field, **kwargs: Any) -> ma.fields.Dict:
    return ma.fields.Dict(keys=ContentLanguage(), values=values, **kwargs)


class LanguageArgs(ma.Schema):
    lang = ContentLanguage(load_default=None, metadata={"description": "Response language"})


class OutlineArgs(LanguageArgs):
    archived = ma.fields.Boolean(
        load_default=False, metadata={"description": "Include archived modules and lessons"}
    )


class CatalogueArgs(PageArgs):
    lang = ContentLanguage(load_default=None, metadata={"description": "Response language"})
    q = ma.fields.String(validate=ma.validate.Length(max=100))
    language = ContentLanguage(metadata={"description": "Only courses with texts in it"})
    topic = ma.fields.String(validate=ma.validate.Length(max=60))
    administration = administration_code_field(
        metadata={"description": "Only courses open to this administration's officers"}
    )
    status = ma.fields.Enum(CourseStatus, by_value=True)
    owned = ma.fields.Boolean(load_default=False)
    sort = ma.fields.Enum(CatalogueSort, by_value=True, load_default=CatalogueSort.TITLE)

    @ma.post_load
    def _to_filter(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["criteria"] = CatalogueFilter(
            search=data.pop("q", None),
            language=data.pop("language", None),
            topic=data.pop("topic", None),
            administration_code=data.pop("administration", None),
            status=data.pop("status", None),
            owned=data.pop("owned"),
            sort=data.pop("sort"),
        )
        return data


class CourseTextSchema(StrictSchema):
    title = text(rules.TITLE_MAX, required=True)
    summary = ma.fields.String(load_default="", validate=ma.validate.Length(max=rules.SUMMARY_MAX))
    objectives = ma.fields.List(
        text(rules.OBJECTIVE_MAX),
        load_default=list,
        validate=ma.validate.Length(max=rules.OBJECTIVES_MAX),
    )

    @ma.post_load
    def _to_text(self, data: dict[str, Any], **_: Any) -> CourseText:
        return CourseText(data["title"], data["summary"], tuple(data["objectives"]))


def reminder_offsets_field(**kwargs: Any) -> ma.fields.List:
    """Days before the due date at which trainees are reminded; checked by the service
    (descending, unique, shorter than the time the trainee has)."""
    return ma.fields.List(
        Integer(strict=True),
        metadata={"description": "Days before the due date, e.g. [7, 1]; [] sends no reminder"},
        **kwargs,
    )


def idle_after_days_field(**kwargs: Any) -> ma.fields.Integer:
    return Integer(
        validate=ma.validate.Range(min=1, max=rules.IDLE_AFTER_DAYS_MAX),
        metadata={"description": "Days without activity after which a trainee is nudged"},
        **kwargs,
    )


class CompletionSchema(StrictSchema):
    lessons = ma.fields.Enum(LessonRule, by_value=True, required=True)
    quizzes = ma.fields.Enum(QuizRule, by_value=True, required=True)


class CourseUpdateSchema(ChangesSchema):
    slug = key_field()
    code = text(rules.CODE_MAX)
    default_language = ContentLanguage()
    topics = ma.fields.List(
        ma.fields.String(
            validate=ma.validate.Regexp(
                rules.TOPIC_PATTERN, error=f"Topics are {rules.TOPIC_RULE}."
            )
        ),
        validate=ma.validate.Length(max=rules.TOPICS_MAX),
    )
    estimated_minutes = Integer(validate=ma.validate.Range(min=0, max=100_000))
    pass_mark = Integer(validate=ma.validate.Range(min=0, max=100))
    completion = ma.fields.Nested(CompletionSchema)
    due_days = Integer(allow_none=True, validate=ma.validate.Range(min=1, max=3650))
    reminder_offsets_days = reminder_offsets_field()
    idle_after_days = idle_after_days_field()
    administrations = ma.fields.List(administration_code_field())
    translations = per_language(
        ma.fields.Nested(CourseTextSchema, allow_none=True),
        metadata={"description": "Texts per language; null removes a language"},
    )

    @ma.post_load
    def _flatten(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        completion = data.pop("completion", None)
        if completion is not None:
            data["completion_lessons"] = completion["lessons"].value
            data["completion_quizzes"] = completion["quizzes"].value
        return data


class CourseCreateSchema(CourseUpdateSchema):
    slug = key_field(required=True)
    code = text(rules.CODE_MAX, required=True)
    default_language = ContentLanguage(required=True)
    translations = per_language(ma.fields.Nested(CourseTextSchema), required=True)

    @ma.validates_schema
    def _default_language_has_text(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("default_language") not in data.get("translations", {}):
            raise ma.ValidationError(
                "The default language needs a text.", field_name="translations"
            )


class OwnerAddSchema(StrictSchema):
    user_id = Id(required=True)


class ModuleUpdateSchema(ChangesSchema):
    key = key_field()
    titles = per_language(
        text(rules.TITLE_MAX, allow_none=True),
        metadata={"description": "Titles per language; null removes a language"},
    )


class ModuleCreateSchema(ModuleUpdateSchema):
    key = key_field(required=True)
    titles = per_language(text(rules.TITLE_MAX), required=True)


class LessonTextSchema(StrictSchema):
    title = text(rules.TITLE_MAX, required=True)
    body = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=rules.BODY_MAX),
        metadata={"description": "Markdown (CommonMark + tables); shown as sanitized HTML"},
    )

    @ma.post_load
    def _to_text(self, data: dict[str, Any], **_: Any) -> LessonText:
        return LessonText(data["title"], data["body"])


def url_field(**kwargs: Any) -> ma.fields.Url:
    return ma.fields.Url(
        schemes={"http", "https"}, validate=ma.validate.Length(max=rules.URL_MAX), **kwargs
    )


class LessonUpdateSchema(ChangesSchema):
    key = key_field()
    kind = ma.fields.Enum(LessonKind, by_value=True)
    required = ma.fields.Boolean()
    minutes = Integer(allow_none=True, validate=ma.validate.Range(min=0, max=10_000))
    url = url_field(allow_none=True)
    module_id = Id(metadata={"description": "Move to the end of this module"})
    translations = per_language(
        ma.fields.Nested(LessonTextSchema, allow_none=True),
        metadata={"description": "Texts per language; null removes a language"},
    )


class LessonCreateSchema(LessonUpdateSchema):
    key = key_field(required=True)
    kind = ma.fields.Enum(LessonKind, by_value=True, required=True)
    module_id = Id(dump_only=True)
    translations = per_language(ma.fields.Nested(LessonTextSchema), required=True)


class OrderSchema(StrictSchema):
    ids = ma.fields.List(Id(), required=True, validate=ma.validate.Length(max=1000))


class CourseCardSchema(ma.Schema):
    id = Id()
    slug = ma.fields.String()
    code = ma.fields.String()
    status = ma.fields.String()
    default_language = ma.fields.String()
    languages = ma.fields.List(ma.fields.String())
    language = ma.fields.String(metadata={"description": "The language of this representation"})
    title = ma.fields.String()
    summary = ma.fields.String()
    topics = ma.fields.List(ma.fields.String())
    estimated_minutes = Integer()
    updated_at = ma.fields.AwareDateTime()


class LessonItemSchema(ma.Schema):
    id = Id()
    key = ma.fields.String()
    kind = ma.fields.String()
    position = Integer(allow_none=True)
    title = ma.fields.String()
    minutes = Integer(allow_none=True)
    required = ma.fields.Boolean()
    url = ma.fields.String(allow_none=True)
    archived_at = ma.fields.AwareDateTime(allow_none=True)


class ModuleItemSchema(ma.Schema):
    id = Id()
    key = ma.fields.String()
    position = Integer(allow_none=True)
    title = ma.fields.String()
    titles = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    archived_at = ma.fields.AwareDateTime(allow_none=True)
    lessons = ma.fields.List(ma.fields.Nested(LessonItemSchema))


class OutlineSchema(ma.Schema):
    language = ma.fields.String()
    modules = ma.fields.List(ma.fields.Nested(ModuleItemSchema))


class OwnerSchema(ma.Schema):
    id = Id()
    full_name = ma.fields.String()
    email = ma.fields.String()


class CourseEditingSchema(ma.Schema):
    owners = ma.fields.List(ma.fields.Nested(OwnerSchema))
    administrations = ma.fields.List(ma.fields.String())
    translations = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Dict())


class CourseDetailSchema(CourseCardSchema):
    objectives = ma.fields.List(ma.fields.String())
    pass_mark = Integer()
    completion = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    due_days = Integer(allow_none=True)
    reminder_offsets_days = ma.fields.List(Integer())
    idle_after_days = Integer()
    published_at = ma.fields.AwareDateTime(allow_none=True)
    modules = ma.fields.List(ma.fields.Nested(ModuleItemSchema))
    editing = ma.fields.Nested(
        CourseEditingSchema,
        allow_none=True,
        metadata={"description": "Owners, restriction and raw texts; only for editors"},
    )


class LessonContentSchema(ma.Schema):
    id = Id()
    course_id = Id()
    module_id = Id()
    key = ma.fields.String()
    kind = ma.fields.String()
    position = Integer(allow_none=True)
    required = ma.fields.Boolean()
    minutes = Integer(allow_none=True)
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
