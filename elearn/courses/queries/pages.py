"""A course's detail and its lessons as non-editors see them, read as Core rows.

The same read models as ``read_models`` builds from ORM objects (the editors' path), from two
statements for a course (the course with its texts and topics; the outline with each lesson's
title in the wanted language or the default one) and one for a lesson (with its texts): no ORM
object is loaded. Statements are built once per process; building them cost more than running
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Integer, Row, Select, String, bindparam, exists, func, select
from sqlalchemy.orm import aliased

from elearn.courses.models import (
    Course,
    CourseTopic,
    CourseTranslation,
    Lesson,
    LessonTranslation,
    Module,
    QuizDefinition,
)
from elearn.courses.models.course import ordered_languages
from elearn.courses.queries import catalogue
from elearn.courses.queries import read_models as views
from elearn.errors import NotFound
from elearn.extensions import db
from elearn.portable_sql import joined_text

COURSE = bindparam("course_id", type_=Integer)
LESSON = bindparam("lesson_id", type_=Integer)
WANTED = bindparam("wanted_language", type_=String)
DEFAULT = bindparam("default_language", type_=String)
# Topics match rules.TOPIC_PATTERN, so no topic holds this separator.
TOPIC_SEPARATOR = " "


def course_detail(course_id: int, requested: str | None) -> views.CourseDetail:
    """The detail of a course the caller may see, with its active outline."""
    rows = db.session.execute(_course_statement(), {COURSE.key: course_id}).all()
    if not rows:
        raise NotFound("No such course.")
    course = rows[0]
    texts = {row.lang: row for row in rows if row.lang is not None}
    language = views.pick_language(texts, requested, course.default_language)
    text = texts.get(language)
    card = views.CourseCard(
        id=course.id,
        slug=course.slug,
        code=course.code,
        status=course.status,
        default_language=course.default_language,
        languages=ordered_languages(course.default_language, texts),
        language=language,
        title=text.title if text else course.slug,
        summary=text.summary if text else "",
        topics=sorted(course.topics.split(TOPIC_SEPARATOR)) if course.topics else [],
        estimated_minutes=course.estimated_minutes,
        updated_at=course.updated_at,
    )
    return views.detail(
        card,
        course,
        objectives=text.objectives if text else [],
        modules=_outline(course_id, language, course.default_language),
        editing=None,
    )


def lesson_content(course_id: int, lesson_id: int, requested: str | None) -> views.LessonContent:
    """A lesson of a course the caller may see, as HTML in the wanted language."""
    rows = db.session.execute(
        _lesson_statement(), {COURSE.key: course_id, LESSON.key: lesson_id, WANTED.key: requested}
    ).all()
    if not rows:
        raise NotFound("No such lesson.")
    lesson = rows[0]
    wanted: str = requested if requested and lesson.course_has_wanted else lesson.default_language
    texts = {row.lang: row for row in rows if row.lang is not None}
    return views.content(
        lesson,
        text=texts.get(wanted) or texts.get(lesson.default_language),
        wanted=wanted,
        has_quiz=lesson.has_quiz,
        translations=None,
    )


def _outline(course_id: int, language: str, default: str) -> list[views.ModuleItem]:
    rows = db.session.execute(
        _outline_statement(), {COURSE.key: course_id, WANTED.key: language, DEFAULT.key: default}
    )
    modules: list[views.ModuleItem] = []
    for row in rows:
        if not modules or modules[-1].id != row.module_id:
            modules.append(_module(row, language, default))
        if row.lesson_id is not None:
            modules[-1].lessons.append(_lesson(row))
    return modules


def _module(row: Row[Any], language: str, default: str) -> views.ModuleItem:
    titles: dict[str, str] = row.module_titles
    return views.ModuleItem(
        id=row.module_id,
        key=row.module_key,
        position=row.module_position,
        title=str(titles.get(language) or titles.get(default) or row.module_key),
        titles=dict(titles),
        archived_at=row.module_archived_at,
        lessons=[],
    )


def _lesson(row: Row[Any]) -> views.LessonItem:
    return views.LessonItem(
        id=row.lesson_id,
        key=row.lesson_key,
        kind=row.kind,
        position=row.lesson_position,
        title=row.lesson_title,
        minutes=row.minutes,
        required=row.required,
        url=row.url,
        archived_at=row.lesson_archived_at,
    )


COURSE_COLUMNS: Sequence[Any] = (
    *catalogue.CARD_COLUMNS,
    Course.pass_mark,
    Course.completion_lessons,
    Course.completion_quizzes,
    Course.due_days,
    Course.reminder_offsets_days,
    Course.idle_after_days,
    Course.published_at,
)


@cache
def _course_statement() -> Select[*tuple[Any, ...]]:
    """The course once per language it has texts in (once when it has none), with its topics."""
    topics = (
        select(joined_text(CourseTopic.topic, TOPIC_SEPARATOR))
        .where(CourseTopic.course_id == Course.id)
        .scalar_subquery()
    )
    return (
        select(
            *COURSE_COLUMNS,
            topics.label("topics"),
            CourseTranslation.lang,
            CourseTranslation.title,
            CourseTranslation.summary,
            CourseTranslation.objectives,
        )
        .outerjoin(CourseTranslation, CourseTranslation.course_id == Course.id)
        .where(Course.id == COURSE)
    )


@cache
def _outline_statement() -> Select[*tuple[Any, ...]]:
    """Active modules in order, each with its active lessons in order (a module without any once,
    with no lesson), each lesson titled in the wanted language, else the default, else its key."""
    wanted = aliased(LessonTranslation, name="wanted_text")
    fallback = aliased(LessonTranslation, name="default_text")
    return (
        select(
            Module.id.label("module_id"),
            Module.key.label("module_key"),
            Module.position.label("module_position"),
            Module.titles.label("module_titles"),
            Module.archived_at.label("module_archived_at"),
            Lesson.id.label("lesson_id"),
            Lesson.key.label("lesson_key"),
            Lesson.kind,
            Lesson.position.label("lesson_position"),
            func.coalesce(wanted.title, fallback.title, Lesson.key).label("lesson_title"),
            Lesson.minutes,
            Lesson.required,
            Lesson.url,
            Lesson.archived_at.label("lesson_archived_at"),
        )
        .outerjoin(Lesson, (Lesson.module_id == Module.id) & Lesson.archived_at.is_(None))
        .outerjoin(wanted, (wanted.lesson_id == Lesson.id) & (wanted.lang == WANTED))
        .outerjoin(fallback, (fallback.lesson_id == Lesson.id) & (fallback.lang == DEFAULT))
        .where(Module.course_id == COURSE, Module.archived_at.is_(None))
        .order_by(Module.position, Module.key, Module.id, Lesson.position, Lesson.key)
    )


@cache
def _lesson_statement() -> Select[*tuple[Any, ...]]:
    """The lesson once per language it has texts in (once when it has none), with what its page
    needs of its course and quiz; no row when it is not the course's."""
    has_wanted = exists().where(
        CourseTranslation.course_id == Course.id, CourseTranslation.lang == WANTED
    )
    has_quiz = exists().where(QuizDefinition.lesson_id == Lesson.id)
    return (
        select(
            Lesson.id,
            Lesson.course_id,
            Lesson.module_id,
            Lesson.key,
            Lesson.kind,
            Lesson.position,
            Lesson.required,
            Lesson.minutes,
            Lesson.url,
            Lesson.media_asset_id,
            Lesson.archived_at,
            Course.default_language,
            has_wanted.label("course_has_wanted"),
            has_quiz.label("has_quiz"),
            LessonTranslation.lang,
            LessonTranslation.title,
            LessonTranslation.body,
        )
        .join(Course, Course.id == Lesson.course_id)
        .outerjoin(LessonTranslation, LessonTranslation.lesson_id == Lesson.id)
        .where(Lesson.id == LESSON, Lesson.course_id == COURSE)
    )
