"""Fixtures of the quizzes tests: quiz courses, enrolments and a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from elearn import clock
from tests.quizzes.builders import QuizBuilder, QuizClient

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def quizzes(app: Flask, client: FlaskClient) -> QuizBuilder:
    return QuizBuilder(app, client)


@pytest.fixture
def taking(client: FlaskClient) -> QuizClient:
    return QuizClient(client)


class Clock:
    """The application clock, frozen at START; ``advance`` moves it."""

    def __init__(self) -> None:
        self.now = START
        clock.freeze(self.now)

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        clock.freeze(self.now)
        return self.now


@pytest.fixture
def frozen_clock() -> Iterator[Clock]:
    yield Clock()
    clock.freeze(None)
