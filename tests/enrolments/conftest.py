"""Fixtures of the learning tests: courses with a chosen outline, runs, enrolments."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import scoped_session, sessionmaker

from elearn import clock
from elearn.accounts.models import Administration
from elearn.courses.models import (
    Course,
    CourseAdministration,
    CourseOwner,
    CourseTranslation,
    Lesson,
    LessonTranslation,
    Module,
)
from elearn.enrolments.models import CourseRun, CourseRunAdministration
from elearn.enrolments.signals import enrolment_completed
from elearn.extensions import db
from tests.factories import Person

_numbers = itertools.count(1)


@dataclass
class Outline:
    """A course built for a test: its id and its lesson ids in outline order."""

    id: int
    lessons: list[int]


def _administration_ids(codes: tuple[str, ...]) -> list[int]:
    ids = list(db.session.scalars(select(Administration.id).where(Administration.code.in_(codes))))
    assert len(ids) == len(codes), f"create the administrations {codes} first"
    return ids


class Learning:
    """Arranges courses, runs and enrolments directly in the database (committed)."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app = app
        self.client = client

    def course(
        self,
        *lessons: str,
        owners: tuple[Person, ...] = (),
        status: str = "published",
        administrations: tuple[str, ...] = (),
        **settings: Any,
    ) -> Outline:
        """``lessons`` are kinds, ``:optional`` marking a lesson not required (default 2 texts)."""
        number = next(_numbers)
        with self.app.app_context():
            course = Course(
                slug=f"learning-{number}",
                code=f"L-{number}",
                default_language="en",
                status=status,
                **settings,
            )
            course.translations = [
                CourseTranslation(lang="en", title=f"Valuation {number}"),
                CourseTranslation(lang="fr", title=f"Évaluation {number}"),
            ]
            course.owner_links = [CourseOwner(user_id=owner.id) for owner in owners]
            course.administration_links = [
                CourseAdministration(administration_id=i)
                for i in _administration_ids(administrations)
            ]
            db.session.add(course)
            db.session.flush()
            module = Module(course_id=course.id, key="module", position=1, titles={"en": "M"})
            db.session.add(module)
            db.session.flush()
            for position, spec in enumerate(lessons or ("text", "text"), 1):
                kind, _, flag = spec.partition(":")
                lesson = Lesson(
                    course_id=course.id,
                    module_id=module.id,
                    key=f"lesson-{position}",
                    kind=kind,
                    position=position,
                    required=flag != "optional",
                )
                lesson.translations = [
                    LessonTranslation(lang="en", title=f"Lesson {position}"),
                    LessonTranslation(lang="fr", title=f"Leçon {position}"),
                ]
                db.session.add(lesson)
            db.session.commit()
            ids = db.session.scalars(
                select(Lesson.id).where(Lesson.course_id == course.id).order_by(Lesson.position)
            )
            return Outline(course.id, list(ids))

    def run(self, course: Outline, administrations: tuple[str, ...] = (), **fields: Any) -> int:
        with self.app.app_context():
            run = CourseRun(course_id=course.id, name=fields.pop("name", "Spring"), **fields)
            run.administration_links = [
                CourseRunAdministration(administration_id=i)
                for i in _administration_ids(administrations)
            ]
            db.session.add(run)
            db.session.commit()
            return run.id

    def enrol(self, person: Person, course: Outline, **body: Any) -> dict[str, Any]:
        """Self-enrol through the API; the enrolment as the API shows it."""
        response = self.client.post(
            f"/api/v1/courses/{course.id}/enrolments", json=body, headers=person.headers
        )
        assert response.status_code == 201, response.get_json()
        body_: dict[str, Any] = response.get_json()
        return body_

    def complete(self, person: Person, enrolment_id: int, lesson_id: int) -> Any:
        return self.client.post(
            f"/api/v1/enrolments/{enrolment_id}/lessons/{lesson_id}/complete",
            headers=person.headers,
        )


@pytest.fixture
def learning(app: Flask, client: FlaskClient) -> Learning:
    return Learning(app, client)


@pytest.fixture
def frozen() -> Iterator[datetime]:
    """The clock, frozen at a fixed moment."""
    moment = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
    clock.freeze(moment)
    yield moment
    clock.freeze(None)


@pytest.fixture
def completions() -> Iterator[list[int]]:
    """A subscriber of ``enrolment_completed``: the enrolment ids it was sent, in order."""
    received: list[int] = []

    def receive(enrolment_id: int) -> None:
        received.append(enrolment_id)

    with enrolment_completed.connected_to(receive):
        yield received


@pytest.fixture
def committed_data(app: Flask) -> Iterator[None]:
    """Requests commit for real, so threads see each other's rows; every table emptied after."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent requests are tested on PostgreSQL (SQLite serializes writers)")
    rolled_back = db.session
    db.session = scoped_session(
        sessionmaker(bind=engine),
        scopefunc=rolled_back.registry.scopefunc,  # type: ignore[attr-defined]
    )
    try:
        yield
    finally:
        db.session = rolled_back
        with engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


def days(number: float) -> timedelta:
    return timedelta(days=number)


def in_parallel(app: Flask, requests: list[Callable[[FlaskClient], Any]]) -> list[Any]:
    """Run each request from its own thread and client, released together; their responses."""
    barrier = threading.Barrier(len(requests))
    responses: list[Any] = [None] * len(requests)

    def send(index: int) -> None:
        client = app.test_client()
        barrier.wait(timeout=10)
        responses[index] = requests[index](client)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses
