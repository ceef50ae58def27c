"""What other domains show of a course beside rows of their own: its titles in every language
and its active lessons in outline order, each with its titles.

A trainee's list of enrolments names each course and the lesson to resume at from these. They
are few (one per course) and the same for everyone, so each process remembers them until a
course changes (``models.versions``) instead of reading titles and outlines for every row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, select

from elearn.courses.models import Course, CourseTranslation, Lesson, LessonTranslation, Module
from elearn.courses.models.versions import COURSES
from elearn.extensions import db
from elearn.http_cache import Remembered

COURSE_IDS: BindParameter[list[int]] = bindparam("course_ids", expanding=True)


@dataclass(frozen=True)
class SyllabusLesson:
    id: int
    kind: str
    # In the order of their language codes.
    titles: Mapping[str, str]

    def title(self, language: str) -> str:
        """In ``language``, else in the first language it has a title in, else empty."""
        return self.titles.get(language) or next(iter(self.titles.values()), "")


@dataclass(frozen=True)
class Syllabus:
    id: int
    slug: str
    default_language: str
    titles: Mapping[str, str]
    lessons: tuple[SyllabusLesson, ...] = field(default=())

    def language(self, wanted: str) -> str:
        """The language the course is shown in: ``wanted`` when it has a title in it."""
        return wanted if wanted in self.titles else self.default_language

    def title(self, wanted: str) -> str:
        return self.titles.get(wanted) or self.titles.get(self.default_language) or self.slug

    def first_lesson_not_in(self, completed: Collection[int]) -> SyllabusLesson | None:
        return next((lesson for lesson in self.lessons if lesson.id not in completed), None)


remembered_syllabi: Remembered[Syllabus] = Remembered(COURSES, size=4096)


def syllabi(course_ids: Iterable[int]) -> dict[int, Syllabus]:
    """The syllabus of each of ``course_ids`` that exists; two statements for those this process
    does not remember."""
    return remembered_syllabi.get_many(set(course_ids), _read)


def _read(course_ids: Collection[int]) -> dict[int, Syllabus]:
    parameters = {COURSE_IDS.key: list(course_ids)}
    courses: dict[int, tuple[Any, dict[str, str]]] = {}
    for row in db.session.execute(_course_statement(), parameters):
        _course, titles = courses.setdefault(row.id, (row, {}))
        if row.lang is not None:
            titles[row.lang] = row.title
    lessons: dict[int, dict[int, tuple[str, dict[str, str]]]] = {}
    for text in db.session.execute(_lesson_statement(), parameters):
        lesson = lessons.setdefault(text.course_id, {}).setdefault(text.id, (text.kind, {}))
        if text.lang is not None:
            lesson[1][text.lang] = text.title
    return {
        course_id: Syllabus(
            id=course_id,
            slug=course.slug,
            default_language=course.default_language,
            titles=titles,
            lessons=tuple(
                SyllabusLesson(lesson_id, kind, lesson_titles)
                for lesson_id, (kind, lesson_titles) in lessons.get(course_id, {}).items()
            ),
        )
        for course_id, (course, titles) in courses.items()
    }


def _course_statement() -> Select[int, str, str, str, str]:
    return (
        select(
            Course.id,
            Course.slug,
            Course.default_language,
            CourseTranslation.lang,
            CourseTranslation.title,
        )
        .outerjoin(CourseTranslation, CourseTranslation.course_id == Course.id)
        .where(Course.id.in_(COURSE_IDS))
    )


def _lesson_statement() -> Select[int, int, str, str, str]:
    return (
        select(
            Lesson.course_id,
            Lesson.id,
            Lesson.kind,
            LessonTranslation.lang,
            LessonTranslation.title,
        )
        .join(Module, Module.id == Lesson.module_id)
        .outerjoin(LessonTranslation, LessonTranslation.lesson_id == Lesson.id)
        .where(Lesson.course_id.in_(COURSE_IDS), Lesson.archived_at.is_(None))
        .order_by(
            Lesson.course_id, Module.position, Lesson.position, Lesson.id, LessonTranslation.lang
        )
    )
