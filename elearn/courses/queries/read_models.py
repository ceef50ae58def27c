"""Read models: a course, its outline and lessons in one language, ready for a schema.

A course is shown in the requested language when it has texts in it, otherwise in its default
language; each module and lesson falls back to the default language on its own when it lacks a
text, so a partly translated course still reads whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Row

from elearn.courses.models import Course, Lesson, LessonTranslation, Module
from elearn.courses.rendering import markdown_to_html

Positioned = TypeVar("Positioned", Module, Lesson)
# Served by the media domain, which checks who may fetch the file.
MEDIA_URL = "/api/v1/media/{}/content"


def pick_language(available: Iterable[str], requested: str | None, default: str) -> str:
    return requested if requested is not None and requested in set(available) else default


@dataclass(frozen=True)
class CourseCard:
    id: int
    slug: str
    code: str
    status: str
    default_language: str
    languages: list[str]
    language: str
    title: str
    summary: str
    topics: list[str]
    estimated_minutes: int
    updated_at: datetime


@dataclass(frozen=True)
class LessonItem:
    id: int
    key: str
    kind: str
    position: int | None
    title: str
    minutes: int | None
    required: bool
    url: str | None
    archived_at: datetime | None


@dataclass(frozen=True)
class ModuleItem:
    id: int
    key: str
    position: int | None
    title: str
    titles: dict[str, str]
    archived_at: datetime | None
    lessons: list[LessonItem]


@dataclass(frozen=True)
class Owner:
    id: int
    full_name: str
    email: str


@dataclass(frozen=True)
class CourseEditing:
    """What only editors see: owners, the restriction, and every language's raw texts."""

    owners: list[Owner]
    administrations: list[str]
    translations: dict[str, dict[str, object]]


@dataclass(frozen=True)
class CourseDetail(CourseCard):
    objectives: list[str]
    pass_mark: int
    completion: dict[str, str]
    due_days: int | None
    reminder_offsets_days: list[int]
    idle_after_days: int
    published_at: datetime | None
    modules: list[ModuleItem]
    editing: CourseEditing | None


@dataclass(frozen=True)
class Outline:
    language: str
    modules: list[ModuleItem]


@dataclass(frozen=True)
class LessonContent:
    id: int
    course_id: int
    module_id: int
    key: str
    kind: str
    position: int | None
    required: bool
    minutes: int | None
    url: str | None
    media_url: str | None
    has_quiz: bool
    archived_at: datetime | None
    language: str
    title: str
    html: str
    translations: dict[str, dict[str, str]] | None


def course_language(course: Course, requested: str | None) -> str:
    """The requested language when the course has texts in it, else its default language."""
    return pick_language(course.languages, requested, course.default_language)


def course_card(course: Course, requested: str | None) -> CourseCard:
    language = course_language(course, requested)
    text = course.translation(language)
    return CourseCard(
        id=course.id,
        slug=course.slug,
        code=course.code,
        status=course.status,
        default_language=course.default_language,
        languages=course.languages,
        language=language,
        title=text.title if text else course.slug,
        summary=text.summary if text else "",
        topics=course.topics,
        estimated_minutes=course.estimated_minutes,
        updated_at=course.updated_at,
    )


def lesson_item(lesson: Lesson, language: str, default: str) -> LessonItem:
    text = lesson.translation(language) or lesson.translation(default)
    return LessonItem(
        id=lesson.id,
        key=lesson.key,
        kind=lesson.kind,
        position=lesson.position,
        title=text.title if text else lesson.key,
        minutes=lesson.minutes,
        required=lesson.required,
        url=lesson.url,
        archived_at=lesson.archived_at,
    )


def module_item(
    module: Module, language: str, default: str, *, archived: bool = False
) -> ModuleItem:
    lessons = module.lessons if archived else module.active_lessons
    return ModuleItem(
        id=module.id,
        key=module.key,
        position=module.position,
        title=str(module.titles.get(language) or module.titles.get(default) or module.key),
        titles=dict(module.titles),
        archived_at=module.archived_at,
        lessons=[lesson_item(lesson, language, default) for lesson in _ordered(lessons)],
    )


def course_outline(course: Course, requested: str | None, *, archived: bool = False) -> Outline:
    """The modules and their lessons in order; archived ones only when asked (editors)."""
    language = course_language(course, requested)
    modules = course.modules if archived else [m for m in course.modules if m.archived_at is None]
    return Outline(
        language=language,
        modules=[
            module_item(module, language, course.default_language, archived=archived)
            for module in _ordered(modules)
        ],
    )


def _ordered(items: Iterable[Positioned]) -> list[Positioned]:
    # Archived items have no position; they follow the active ones, oldest key first.
    return sorted(items, key=lambda item: (item.position is None, item.position or 0, item.key))


def course_detail(course: Course, requested: str | None, *, editor: bool) -> CourseDetail:
    card = course_card(course, requested)
    text = course.translation(card.language)
    return detail(
        card,
        course,
        objectives=text.objectives if text else [],
        modules=course_outline(course, requested).modules,
        editing=_editing(course) if editor else None,
    )


def detail(
    card: CourseCard,
    settings: Course | Row[Any],
    *,
    objectives: Iterable[str],
    modules: list[ModuleItem],
    editing: CourseEditing | None,
) -> CourseDetail:
    """A card with the course's settings (from the course or a row of its columns)."""
    return CourseDetail(
        **vars(card),
        objectives=list(objectives),
        pass_mark=settings.pass_mark,
        completion={
            "lessons": settings.completion_lessons,
            "quizzes": settings.completion_quizzes,
        },
        due_days=settings.due_days,
        reminder_offsets_days=list(settings.reminder_offsets_days),
        idle_after_days=settings.idle_after_days,
        published_at=settings.published_at,
        modules=modules,
        editing=editing,
    )


def owners(course: Course) -> list[Owner]:
    return [
        Owner(link.user.id, link.user.full_name, link.user.email) for link in course.owner_links
    ]


def _editing(course: Course) -> CourseEditing:
    return CourseEditing(
        owners=owners(course),
        administrations=course.administration_codes,
        translations={
            t.lang: {"title": t.title, "summary": t.summary, "objectives": list(t.objectives)}
            for t in course.translations
        },
    )


def lesson_content(
    lesson: Lesson, course: Course, requested: str | None, *, editor: bool
) -> LessonContent:
    wanted = course_language(course, requested)
    return content(
        lesson,
        text=lesson.translation(wanted) or lesson.translation(course.default_language),
        wanted=wanted,
        has_quiz=lesson.quiz is not None,
        translations=(
            {t.lang: {"title": t.title, "body": t.body} for t in lesson.translations}
            if editor
            else None
        ),
    )


def content(
    lesson: Lesson | Row[Any],
    *,
    text: LessonTranslation | Row[Any] | None,
    wanted: str,
    has_quiz: bool,
    translations: dict[str, dict[str, str]] | None,
) -> LessonContent:
    """A lesson (or a row of its columns) in its ``text``, if any, else in ``wanted``."""
    return LessonContent(
        id=lesson.id,
        course_id=lesson.course_id,
        module_id=lesson.module_id,
        key=lesson.key,
        kind=lesson.kind,
        position=lesson.position,
        required=lesson.required,
        minutes=lesson.minutes,
        url=lesson.url,
        media_url=MEDIA_URL.format(lesson.media_asset_id) if lesson.media_asset_id else None,
        has_quiz=has_quiz,
        archived_at=lesson.archived_at,
        language=text.lang if text else wanted,
        title=text.title if text else lesson.key,
        html=markdown_to_html(text.body) if text else "",
        translations=translations,
    )
