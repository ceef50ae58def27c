"""Arrange helpers for courses: build whole courses in the database."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import delete, select

from elearn import clock
from elearn.accounts.models import Administration
from elearn.courses.models import (
    Course,
    CourseAdministration,
    CourseOwner,
    CourseTopic,
    CourseTranslation,
    Lesson,
    LessonTranslation,
    Module,
)
from elearn.enrolments.models import Enrolment, LessonProgress
from elearn.extensions import db
from tests.factories import Person

TITLES = {"en": "Course", "ru": "Курс", "fr": "Cours"}
_numbers = itertools.count(1)


@dataclass
class BuiltCourse:
    id: int
    slug: str
    module_ids: list[int] = field(default_factory=list)
    lesson_ids: list[list[int]] = field(default_factory=list)

    @property
    def all_lesson_ids(self) -> list[int]:
        return [lesson_id for ids in self.lesson_ids for lesson_id in ids]


class CourseBuilder:
    """``build(...)`` commits a course with modules and lessons in the given languages."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def build(
        self,
        *,
        owners: Iterable[Person] = (),
        status: str = "published",
        languages: Iterable[str] = ("en",),
        default_language: str = "en",
        title: str | None = None,
        summary: str = "A summary.",
        administrations: Iterable[str] = (),
        topics: Iterable[str] = (),
        modules: int = 1,
        lessons: int = 2,
        body: str = "Lesson body.",
        code: str | None = None,
    ) -> BuiltCourse:
        number = next(_numbers)
        languages = list(languages)
        with self.app.app_context():
            course = Course(
                slug=f"course-{number}",
                code=code or f"C-{number:04d}",
                default_language=default_language,
                status=status,
                published_at=clock.now() if status == "published" else None,
            )
            course.translations = [
                CourseTranslation(
                    lang=lang,
                    title=(
                        title if title and lang == default_language else f"{TITLES[lang]} {number}"
                    ),
                    summary=f"{summary} ({lang})",
                    objectives=[f"Objective ({lang})"],
                )
                for lang in languages
            ]
            course.owner_links = [CourseOwner(user_id=owner.id) for owner in owners]
            course.topic_links = [CourseTopic(topic=topic) for topic in topics]
            course.administration_links = [
                CourseAdministration(administration_id=self._administration_id(code))
                for code in administrations
            ]
            db.session.add(course)
            db.session.flush()
            for module_number in range(1, modules + 1):
                course.modules.append(self._module(course, module_number, languages, lessons, body))
            db.session.commit()
            return BuiltCourse(
                id=course.id,
                slug=course.slug,
                module_ids=[m.id for m in course.modules],
                lesson_ids=[[lesson.id for lesson in m.lessons] for m in course.modules],
            )

    def _module(
        self, course: Course, number: int, languages: list[str], lessons: int, body: str
    ) -> Module:
        module = Module(
            key=f"module-{number}",
            position=number,
            titles={lang: f"Module {number} ({lang})" for lang in languages},
        )
        for lesson_number in range(1, lessons + 1):
            lesson = Lesson(
                course_id=course.id,
                key=f"lesson-{number}-{lesson_number}",
                kind="text",
                position=lesson_number,
                minutes=10,
            )
            lesson.translations = [
                LessonTranslation(
                    lang=lang, title=f"Lesson {number}.{lesson_number} ({lang})", body=body
                )
                for lang in languages
            ]
            module.lessons.append(lesson)
        return module

    def _administration_id(self, code: str) -> int:
        administration_id = db.session.scalar(
            select(Administration.id).where(Administration.code == code)
        )
        assert administration_id is not None, f"make.administration({code!r}) first"
        return administration_id


def stored(app: Flask, model: type[Any], **where: Any) -> list[Any]:
    """The committed rows of ``model`` matching ``where``, by id, detached from any session."""
    with app.app_context():
        rows = db.session.scalars(select(model).filter_by(**where).order_by(model.id)).all()
        for row in rows:
            db.session.expunge(row)
    return list(rows)


class TraineeProgress:
    """One trainee's progress on lessons: the history that keeps a lesson from being deleted."""

    def __init__(self, app: Flask, trainee_id: int) -> None:
        self.app = app
        self.trainee_id = trainee_id

    def add(self, lesson_id: int) -> None:
        """Record the lesson as completed, enrolling the trainee in its course when needed."""
        with self.app.app_context():
            course_id = db.session.get_one(Lesson, lesson_id).course_id
            enrolment = db.session.scalar(
                select(Enrolment).filter_by(user_id=self.trainee_id, course_id=course_id)
            )
            if enrolment is None:
                enrolment = Enrolment(
                    user_id=self.trainee_id, course_id=course_id, enrolled_at=clock.now()
                )
                db.session.add(enrolment)
                db.session.flush()
            db.session.add(
                LessonProgress(
                    enrolment_id=enrolment.id, lesson_id=lesson_id, completed_at=clock.now()
                )
            )
            db.session.commit()

    def clear(self) -> None:
        with self.app.app_context():
            enrolments = select(Enrolment.id).filter_by(user_id=self.trainee_id)
            db.session.execute(
                delete(LessonProgress).where(LessonProgress.enrolment_id.in_(enrolments))
            )
            db.session.commit()
