"""Arrange helpers for courses: build whole courses in the database, pack package folders."""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

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
from elearn.extensions import db
from tests.factories import Person

TITLES = {"en": "Course", "ru": "Курс", "fr": "Cours"}
FIXTURES = Path(__file__).parent / "fixtures"
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


def folder_files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def zip_of(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def fixture_package(name: str = "valuation") -> dict[str, bytes]:
    return folder_files(FIXTURES / name)
