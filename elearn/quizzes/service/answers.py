"""Saving a trainee's answers: checked in Python against the attempt's frozen questions, written
in one statement on PostgreSQL.

An attempt's questions, trainee, start and deadline never change once it has started, so each
process keeps them by attempt id (``frozen_attempts``, filled when an attempt is started or shown
and on the first save that misses it). A save by the attempt's own trainee, in time, whose
answers all fit, then needs no read before its write: one statement holds the attempt row,
checks that it is still running, in time and the caller's, deletes the cleared answers, upserts
the others and reads the keys answered, run on the driver (``DriverRead``). The request lets
that statement commit itself (``uow.statements_first_commit_themselves``): one round trip, with
no BEGIN and no COMMIT, and the same wait for the WAL flush before it answers. Whatever that
fast path cannot settle (another user's or an unknown attempt, a deadline passed, an answer
that does not fit, an attempt submitted meanwhile) it leaves, having written nothing, to the
checked path (``attempts.save_answers``), which runs in one transaction and reports it exactly.
SQLite's several statements run in one transaction too.

The statement reads the answers with the snapshot it started with, which may predate a save
committed while it waited for the row lock. Every save therefore updates the attempt row, and
the statement only holds the row if it is the version its snapshot saw (``xmin``): a save that
waited for another gets nothing, writes nothing, and is retried by the checked path, whose
statements start after its lock is held.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import String, Text, bindparam, cast, delete, select, text, update

from elearn import clock, uow
from elearn.database import UTCDateTime, on_postgresql, upsert
from elearn.driver_reads import DriverRead
from elearn.errors import Invalid
from elearn.extensions import db
from elearn.http_cache import LeastRecentlyUsed
from elearn.quizzes.models import Attempt, AttemptAnswer, AttemptStatus
from elearn.quizzes.service.grading import validate_response

Answers = Mapping[str, Any]


@dataclass(frozen=True)
class FrozenAttempt:
    """What never changes in an attempt once started: its quiz, enrolment, trainee, number,
    language, start, deadline, pass mark and the questions it drew, by key in the order shown."""

    id: int
    lesson_id: int
    enrolment_id: int
    user_id: int
    number: int
    language: str
    started_at: datetime
    deadline_at: datetime | None
    pass_mark: int
    questions: Mapping[str, Mapping[str, Any]]

    def open_at(self, now: datetime) -> bool:
        return self.deadline_at is None or now < self.deadline_at

    def in_order(self, keys: set[str]) -> list[str]:
        return [key for key in self.questions if key in keys]


@dataclass(frozen=True)
class Saved:
    """An attempt's progress after a save: the keys answered, in question order."""

    attempt: FrozenAttempt
    answered: list[str]


frozen_attempts: LeastRecentlyUsed[FrozenAttempt] = LeastRecentlyUsed(size=4096)


# The facts of ``FrozenAttempt`` that an attempt's row holds under the same names, but for its id
# and its questions (kept by key).
_FACTS = tuple(
    field.name for field in fields(FrozenAttempt) if field.name not in {"id", "questions"}
)


def remember(attempt: Attempt) -> FrozenAttempt:
    """The attempt's frozen facts, kept for its next saves in this process."""
    return _remembered(attempt.id, attempt, attempt.questions)


def frozen(attempt_id: int) -> FrozenAttempt | None:
    """The attempt's frozen facts from this process's memory, or read once; None: no such
    attempt."""
    found = frozen_attempts.get(attempt_id)
    if found is not None:
        return found
    row = _FROZEN.row({"attempt_id": attempt_id})
    return None if row is None else remember_read(attempt_id, row)


def remember_read(attempt_id: int, row: Any) -> FrozenAttempt:
    """The frozen facts of a row read with ``FROZEN_COLUMNS`` (and maybe more), kept in this
    process's memory."""
    return _remembered(attempt_id, row, orjson.loads(row.questions))


def _remembered(
    attempt_id: int, facts: Any, questions: Iterable[Mapping[str, Any]]
) -> FrozenAttempt:
    """The frozen facts of the attempt ``attempt_id``, read from ``facts`` (an attempt or a
    row), kept in this process's memory."""
    frozen = FrozenAttempt(
        id=attempt_id,
        **{name: getattr(facts, name) for name in _FACTS},
        questions={question["key"]: question for question in questions},
    )
    frozen_attempts.put(attempt_id, frozen)
    return frozen


# The questions as the stored text, parsed by orjson (tens of kilobytes).
FROZEN_COLUMNS = (
    *(getattr(Attempt, name) for name in _FACTS),
    cast(Attempt.questions, Text).label("questions"),
)
_FROZEN = DriverRead(select(*FROZEN_COLUMNS).where(Attempt.id == bindparam("attempt_id")))


def problems(attempt: FrozenAttempt, answers: Answers) -> dict[str, list[str]]:
    """Why answers do not fit the attempt, per question key (empty: they all fit)."""
    errors: dict[str, list[str]] = {}
    for key, response in answers.items():
        question = attempt.questions.get(key)
        if question is None:
            errors[key] = ["Not a question of this attempt."]
        elif response is not None:
            try:
                validate_response(question, response)
            except Invalid as error:
                errors.update({field: list(found) for field, found in (error.errors or {}).items()})
    return errors


def save_own_answers(trainee_id: int, attempt_id: int, answers: Answers) -> Saved | None:
    """The answers saved on the fast path, or None (nothing written) when the checked path must
    decide: see the module docstring."""
    attempt = frozen(attempt_id)
    now = clock.now()
    if (
        attempt is None
        or attempt.user_id != trainee_id
        or not attempt.open_at(now)
        or problems(attempt, answers)
    ):
        return None
    return write(attempt, answers, now)


def write(attempt: FrozenAttempt, answers: Answers, now: datetime) -> Saved | None:
    """Store checked answers (None clears one) if the attempt is still running, in time and the
    version this statement's snapshot sees; None, with nothing written, otherwise."""
    if on_postgresql():
        answered = _write_on_postgresql(attempt, answers, now)
    else:
        answered = _write_on_sqlite(attempt, answers, now)
    return None if answered is None else Saved(attempt, attempt.in_order(answered))


def _write_on_postgresql(
    attempt: FrozenAttempt, answers: Answers, now: datetime
) -> set[str] | None:
    rows = _SAVE_ON_POSTGRESQL.rows(
        {
            "attempt_id": attempt.id,
            "user_id": attempt.user_id,
            "started_at": attempt.started_at,
            "now": now,
            "answers": json.dumps(answers),
        }
    )
    if not rows:
        return None
    before = {key for (key,) in rows if key is not None}
    cleared = {key for key, response in answers.items() if response is None}
    return (before | answers.keys()) - cleared


# The attempt row is held by updating it (only in the version the snapshot saw: see the module
# docstring); the answers are deleted and upserted only when it is; the keys answered before
# this save are read with the statement's snapshot, one row each (one row of NULL: none yet).
_SAVE_ON_POSTGRESQL = DriverRead(
    text(
        """
    WITH held AS (
        UPDATE quiz_attempts SET updated_at = :now
        WHERE id = :attempt_id AND user_id = :user_id AND started_at = :started_at
          AND status = 'in_progress' AND (deadline_at IS NULL OR deadline_at > :now)
          AND xmin = (SELECT seen.xmin FROM quiz_attempts AS seen WHERE seen.id = :attempt_id)
        RETURNING id
    ), given AS (
        SELECT key, value FROM json_each(CAST(:answers AS json))
    ), cleared AS (
        DELETE FROM quiz_attempt_answers AS answer USING held, given
        WHERE answer.attempt_id = held.id AND answer.question_key = given.key
          AND json_typeof(given.value) = 'null'
    ), saved AS (
        INSERT INTO quiz_attempt_answers (attempt_id, question_key, response, saved_at)
        SELECT held.id, given.key, given.value, :now FROM held, given
        WHERE json_typeof(given.value) <> 'null'
        ON CONFLICT (attempt_id, question_key)
        DO UPDATE SET response = excluded.response, saved_at = excluded.saved_at
    )
    SELECT answer.question_key FROM held
    LEFT JOIN quiz_attempt_answers AS answer
      ON answer.attempt_id = held.id AND answer.saved_at IS NOT NULL
    """
    )
    .bindparams(bindparam("now", type_=UTCDateTime()), bindparam("started_at", type_=UTCDateTime()))
    .columns(question_key=String)
)


def _write_on_sqlite(attempt: FrozenAttempt, answers: Answers, now: datetime) -> set[str] | None:
    """No data-modifying WITH on SQLite; its write transaction holds the whole database, so the
    statements after the attempt's check see what it saw."""
    uow.one_transaction()
    held = db.session.execute(
        update(Attempt)
        .where(
            Attempt.id == attempt.id,
            Attempt.user_id == attempt.user_id,
            Attempt.started_at == attempt.started_at,
            Attempt.status == AttemptStatus.IN_PROGRESS,
            Attempt.deadline_at.is_(None) | (Attempt.deadline_at > now),
        )
        .values(updated_at=now)
        .returning(Attempt.id)
        .execution_options(synchronize_session=False)
    ).first()
    if held is None:
        return None
    cleared = [key for key, response in answers.items() if response is None]
    if cleared:
        db.session.execute(
            delete(AttemptAnswer)
            .where(AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.question_key.in_(cleared))
            .execution_options(synchronize_session=False)
        )
    saved = [
        {"attempt_id": attempt.id, "question_key": key, "response": dict(response), "saved_at": now}
        for key, response in answers.items()
        if response is not None
    ]
    upsert(AttemptAnswer, saved, ("attempt_id", "question_key"), update=("response", "saved_at"))
    return set(
        db.session.scalars(
            select(AttemptAnswer.question_key).where(
                AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.saved_at.is_not(None)
            )
        )
    )


# The attempt row (its id bound as ``attempt_id``) is the version the statement's snapshot sees
# (PostgreSQL; the save's own check above, in a statement that may join other tables). A
# statement that waited for the row's lock re-checks this on the version it then locks, which a
# write committed meanwhile has replaced: it then finds no row, rather than answers older than it.
UNCHANGED_SINCE_SNAPSHOT = text(
    "quiz_attempts.xmin = (SELECT seen.xmin FROM quiz_attempts AS seen WHERE seen.id = :attempt_id)"
)
