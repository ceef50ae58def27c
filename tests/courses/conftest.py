"""Fixtures of the courses tests: real commits for concurrent requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.orm import scoped_session, sessionmaker

from elearn.extensions import db


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
