"""Storing a graded attempt: its close (status, end, score, passed) and a row for every question
with its score.

On PostgreSQL both are one statement (an ``UPDATE`` of the attempt in a ``WITH`` beside the
``INSERT … ON CONFLICT DO UPDATE`` of the scores), whose text does not depend on the number of
questions, so SQLAlchemy compiles it once: the scores travel as one JSON parameter. The attempt
in the session takes the stored values as committed (nothing is flushed again). SQLite has no
writes inside ``WITH``: the ORM's update and a generic upsert, two statements.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, text
from sqlalchemy.orm.attributes import set_committed_value

from elearn import clock
from elearn.database import UTCDateTime, upsert
from elearn.extensions import db
from elearn.quizzes.models import Attempt, AttemptAnswer


@dataclass(frozen=True)
class Close:
    """How an attempt ends: its status, when, and its grade."""

    status: str
    ended_at: datetime
    score: float
    passed: bool


def store(attempt: Attempt, close: Close, scores: Mapping[str, float]) -> None:
    """Close ``attempt`` as ``close`` says and store a row for every question key of
    ``scores`` with its score (the answered keep their response, the unanswered get a row
    without one)."""
    changes = {
        "status": close.status,
        "submitted_at": close.ended_at,
        "score": close.score,
        "passed": close.passed,
        "updated_at": clock.now(),
    }
    if db.session.get_bind().dialect.name != "postgresql":
        for name, value in changes.items():
            setattr(attempt, name, value)
        db.session.flush()
        rows = [
            {"attempt_id": attempt.id, "question_key": key, "score": score}
            for key, score in scores.items()
        ]
        upsert(AttemptAnswer, rows, ("attempt_id", "question_key"), update=("score",))
        return
    # On the session's connection: the ORM's execution adds nothing to a text statement.
    db.session.connection().execute(
        _STORE_ON_POSTGRESQL, {**changes, "attempt_id": attempt.id, "scores": json.dumps(scores)}
    )
    for name, value in changes.items():
        set_committed_value(attempt, name, value)


_STORE_ON_POSTGRESQL = text(
    """
    WITH closed AS (
        UPDATE quiz_attempts
        SET status = :status, submitted_at = :submitted_at, score = :score, passed = :passed,
            updated_at = :updated_at
        WHERE id = :attempt_id
    )
    INSERT INTO quiz_attempt_answers (attempt_id, question_key, score)
    SELECT :attempt_id, graded.key, CAST(graded.value AS double precision)
    FROM json_each_text(CAST(:scores AS json)) AS graded
    ON CONFLICT (attempt_id, question_key) DO UPDATE SET score = excluded.score
    """
).bindparams(
    bindparam("submitted_at", type_=UTCDateTime()), bindparam("updated_at", type_=UTCDateTime())
)
