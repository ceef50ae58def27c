"""Fixtures of the courses tests: course builder, progress stand-in, package uploads."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.test import TestResponse

from elearn.courses.progress import lesson_progress_lookup
from elearn.extensions import db
from tests.courses.builders import CourseBuilder, zip_of
from tests.factories import Person


@pytest.fixture
def courses(app: Flask) -> CourseBuilder:
    return CourseBuilder(app)


@pytest.fixture
def progress() -> Iterator[set[int]]:
    """Stands in for the learning domain: lessons put in this set have trainee progress."""
    with_progress: set[int] = set()

    def answer(_sender: object, lesson_ids: frozenset[int]) -> set[int]:
        return set(lesson_ids) & with_progress

    with lesson_progress_lookup.connected_to(answer):
        yield with_progress


@pytest.fixture
def upload(client: FlaskClient) -> Callable[..., TestResponse]:
    """POST a package (files mapping, or raw zip bytes) to the import endpoint."""

    def send(
        person: Person | None, package: Mapping[str, bytes] | bytes, **form: Any
    ) -> TestResponse:
        archive = package if isinstance(package, bytes) else zip_of(package)
        headers = {"X-Requested-With": "test", **(person.headers if person else {})}
        return client.post(
            "/api/v1/courses/import",
            data={"package": (io.BytesIO(archive), "package.zip"), **form},
            headers=headers,
            content_type="multipart/form-data",
        )

    return send


@pytest.fixture
def override_settings(app: Flask) -> Iterator[Callable[..., None]]:
    """Change settings for one test (e.g. smaller package limits)."""
    original = app.extensions["elearn.settings"]

    def override(**changes: Any) -> None:
        app.extensions["elearn.settings"] = replace(original, **changes)

    yield override
    app.extensions["elearn.settings"] = original


@pytest.fixture
def committed(app: Flask) -> Iterator[None]:
    """Real commits for tests whose requests run in threads (PostgreSQL); tables wiped after."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are tested on PostgreSQL (SQLite serializes writers)")
    test_session = db.session
    db.session = scoped_session(
        sessionmaker(bind=engine),
        scopefunc=test_session.registry.scopefunc,  # type: ignore[attr-defined]
    )
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
        db.session = test_session
        with engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
