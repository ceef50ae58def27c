"""Grading and storing an attempt: its close (status, end, score, passed) and a row for every
question with its score.

On PostgreSQL both are one statement (an ``UPDATE`` of the attempt in a ``WITH`` beside the
``INSERT … ON CONFLICT DO UPDATE`` of the scores), whose text does not depend on the number of
questions: the scores travel as one JSON parameter. It runs on the driver (``DriverRead``) and
writes the scores only when it closed the attempt. A close whose attempt is held passes no
version; one that read the attempt without holding it (``submission``) passes the version it
read (``xmin``), and closes nothing if another write committed since. The attempt in the
session takes the stored values as committed (nothing is flushed again). SQLite has no writes
inside ``WITH``: the ORM's update and a generic upsert, two statements.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, text
from sqlalchemy.orm.attributes import set_committed_value

from elearn import clock
from elearn.database import UTCDateTime, on_postgresql, upsert
from elearn.driver_reads import DriverRead
from elearn.extensions import db
from elearn.quizzes.models import Attempt, AttemptAnswer
from elearn.quizzes.service.grading import grade
from elearn.quizzes.service.standing import reaches


def scores(
    questions: Iterable[Mapping[str, Any]], responses: Mapping[str, Any]
) -> dict[str, float]:
    """The score of every question by key, in order, from the saved responses by key (a
    question without one scores as unanswered)."""
    return {
        question["key"]: grade(question, responses.get(question["key"])) for question in questions
    }


@dataclass(frozen=True)
class Close:
    """How an attempt ends: its status, when, and its grade."""

    status: str
    ended_at: datetime
    score: float
    passed: bool

    @classmethod
    def of(
        cls,
        status: str,
        ended_at: datetime,
        questions: Iterable[Mapping[str, Any]],
        scores: Mapping[str, float],
        pass_mark: int,
    ) -> Close:
        """The close of an attempt whose ``questions`` scored ``scores`` (fractions of each
        question's points): its score in percent of all points, passed at ``pass_mark``."""
        points = [question["points"] for question in questions]
        earned = sum(s * p for s, p in zip(scores.values(), points, strict=True))
        possible = sum(points)
        score = round(100 * earned / possible, 4) if possible else 0.0
        return cls(status, ended_at, score, reaches(score, pass_mark))


def store(attempt: Attempt, close: Close, scores: Mapping[str, float]) -> None:
    """Close the held ``attempt`` as ``close`` says and store a row for every question key of
    ``scores`` with its score (the answered keep their response, the unanswered get a row
    without one)."""
    changes = _changes(close)
    if not on_postgresql():
        for name, value in changes.items():
            setattr(attempt, name, value)
        db.session.flush()
        rows = [
            {"attempt_id": attempt.id, "question_key": key, "score": score}
            for key, score in scores.items()
        ]
        upsert(AttemptAnswer, rows, ("attempt_id", "question_key"), update=("score",))
        return
    _close(attempt.id, None, changes, scores)
    for name, value in changes.items():
        set_committed_value(attempt, name, value)


def store_if_unchanged(
    attempt_id: int, version: str, close: Close, scores: Mapping[str, float]
) -> bool:
    """On PostgreSQL, close a running attempt and store its scores as ``store`` does, if its
    row is still the ``version`` read; whether it did (nothing is written when it did not)."""
    return _close(attempt_id, version, _changes(close), scores)


def _close(
    attempt_id: int, version: str | None, changes: Mapping[str, Any], scores: Mapping[str, float]
) -> bool:
    parameters = {**changes, "attempt_id": attempt_id, "version": version}
    return bool(_CLOSE_ON_POSTGRESQL.rows({**parameters, "scores": json.dumps(scores)}))


def _changes(close: Close) -> dict[str, Any]:
    return {
        "status": close.status,
        "submitted_at": close.ended_at,
        "score": close.score,
        "passed": close.passed,
        "updated_at": clock.now(),
    }


# Only a running row of the version bound as ``version``, unless that is NULL (a held row).
_CLOSE_ON_POSTGRESQL = DriverRead(
    text(
        """
    WITH closed AS (
        UPDATE quiz_attempts
        SET status = :status, submitted_at = :submitted_at, score = :score, passed = :passed,
            updated_at = :updated_at
        WHERE id = :attempt_id AND (
            CAST(:version AS text) IS NULL
            OR (status = 'in_progress' AND CAST(xmin AS text) = CAST(:version AS text))
        )
        RETURNING id
    ), scored AS (
        INSERT INTO quiz_attempt_answers (attempt_id, question_key, score)
        SELECT closed.id, graded.key, CAST(graded.value AS double precision)
        FROM closed, json_each_text(CAST(:scores AS json)) AS graded
        ON CONFLICT (attempt_id, question_key) DO UPDATE SET score = excluded.score
    )
    SELECT id FROM closed
    """
    )
    .bindparams(
        bindparam("submitted_at", type_=UTCDateTime()),
        bindparam("updated_at", type_=UTCDateTime()),
    )
    .columns(id=Integer)
)
