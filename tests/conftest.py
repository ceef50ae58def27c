"""Test harness: one schema per session, one rolled-back transaction per test.

The suite runs on SQLite by default and on PostgreSQL when ELEARN_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import scoped_session, sessionmaker

from elearn import clock, create_app
from elearn.accounts.models import Role
from elearn.config import Settings
from elearn.extensions import db, limiter
from tests.factories import Factory, Person, QueryCounter

TEST_DATABASE_URL = os.environ.get("ELEARN_TEST_DATABASE_URL", "")


def pytest_report_header() -> list[str]:
    database = TEST_DATABASE_URL.split("@")[-1] if TEST_DATABASE_URL else "SQLite (embedded)"
    return [f"elearn database under test: {database}"]


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    instance = tmp_path_factory.mktemp("instance")
    return Settings(
        env="test",
        instance_path=str(instance),
        database_url=TEST_DATABASE_URL or f"sqlite:///{instance / 'test.db'}",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        public_base_url="http://elearn.test",
    ).validated()


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[Flask]:
    application = create_app(settings)
    application.config["TESTING"] = True
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(app: Flask) -> Iterator[None]:
    """Bind every session of this test to one connection whose transaction is rolled back."""
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=original.registry.scopefunc,  # type: ignore[attr-defined]
    )
    limiter.reset()
    try:
        yield
    finally:
        transaction.rollback()
        connection.close()
        db.session = original


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make(app: Flask) -> Factory:
    return Factory(app)


@pytest.fixture
def queries(app: Flask) -> Iterator[QueryCounter]:
    counter = QueryCounter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter.record)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter.record)


@pytest.fixture
def instance_path(settings: Settings) -> Path:
    return Path(settings.instance_path)


@pytest.fixture
def actors(make: Factory) -> dict[str, Person | None]:
    """The six actors of the authorization matrix; the contact point's administration is AZ."""
    make.administration("AZ")
    make.administration("GE")
    return {
        "anonymous": None,
        "trainee": make.user(Role.TRAINEE, administration="AZ"),
        "trainer": make.user(Role.TRAINER, administration=None),
        "contact_point": make.user(Role.CONTACT_POINT, administration="AZ"),
        "other_contact_point": make.user(Role.CONTACT_POINT, administration="GE"),
        "admin": make.user(Role.ADMIN, administration=None),
    }


@pytest.fixture
def frozen_clock() -> Iterator[Callable[[datetime | None], None]]:
    """``frozen_clock(moment)`` pins ``elearn.clock.now()``; the clock runs again after the test."""
    yield clock.freeze
    clock.freeze(None)


@pytest.fixture
def other_app(app: Flask, settings: Settings) -> Iterator[Callable[..., Flask]]:
    """``other_app(**changes)``: a second app built by ``create_app`` from changed settings."""
    built: list[Flask] = []

    def build(**changes: Any) -> Flask:
        built.append(create_app(replace(settings, **changes)))
        return built[-1]

    yield build
    for other in built:
        with other.app_context():
            db.engine.dispose()
    app.extensions["celery"].set_default()
