"""Submitting a trainee's own running attempt: graded in Python from its saved answers, closed
on PostgreSQL by statements that each commit themselves.

An attempt of its own trainee, in time, that does not pass (the usual submit: a pass is
recorded once) needs no transaction, and a first one not the ORM either. Its quiz's settings
come from ``settings_of_lesson``; a later attempt's standing reads the earlier ones
(``attempts_of``), which are finished and never change. One statement reads the attempt's row
version (``xmin``) with its saved answers and its course run's end, without holding it, if it
is still running, in time and the caller's: judged in the statement from the frozen facts
this process remembers (``answers.frozen_attempts``), or else in Python from the frozen facts
the same statement reads (and the process then remembers). The answers are graded in Python;
a last statement (``grades``) closes the attempt and stores every score, but only if its row
is still the version read: every save, submit and expiry updates the row, so one committed in
between leaves the close with nothing to write. The request lets the statements commit
themselves (``uow.statements_first_commit_themselves``): no BEGIN and no COMMIT round trips,
and the close with its scores is still one statement, which waits for the WAL flush before it
answers.

Whatever that fast path does not settle it leaves, having written nothing, to the checked path
(``attempts.submit_attempt`` on the held attempt), which runs in one transaction and answers it
exactly: another user's attempt, an unknown one, one submitted or past its deadline, a write
committed between the two statements, SQLite, and a pass. Recording a pass (the lesson done,
the enrolment's completion, a certificate's outbox row) takes several statements of the
enrolments domain that must commit with the close; beside them the fast path's saving is
small, and a second way to record a pass would be a second copy of that rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Text, bindparam, cast, func, literal_column, select

from elearn import clock
from elearn.database import UTCDateTime, on_postgresql
from elearn.driver_reads import DriverRead
from elearn.enrolments.models import CourseRun, Enrolment
from elearn.http_cache import LeastRecentlyUsed
from elearn.quizzes.models import Attempt, AttemptAnswer, AttemptStatus
from elearn.quizzes.queries import AttemptView
from elearn.quizzes.service import answers as answer_writes
from elearn.quizzes.service import attempts, grades, review
from elearn.quizzes.service.answers import FrozenAttempt
from elearn.quizzes.service.quiz import settings_of_lesson
from elearn.quizzes.service.standing import Standing

# Attempts this process closed: submitting one again is the checked path's (a close is never
# undone; should its statement's commit fail, the checked path still decides rightly).
closed_attempts: LeastRecentlyUsed[bool] = LeastRecentlyUsed(size=4096)


@dataclass(frozen=True)
class GradedAnswer:
    """A question of a closed attempt as its response shows it: the answer saved, its score."""

    response: dict[str, Any] | None
    score: float


@dataclass(frozen=True)
class _Running:
    """What the fast path reads of a running attempt: its row version, its course run's end
    and its saved responses by question key."""

    version: str
    run_ends_at: datetime | None
    responses: Mapping[str, dict[str, Any] | None]


def submit_own_attempt(trainee_id: int, attempt_id: int) -> AttemptView | None:
    """The attempt submitted on the fast path and shown as its review policy allows, or None
    (nothing written) when the checked path must decide: see the module docstring."""
    if closed_attempts.get(attempt_id) or not on_postgresql():
        return None
    now = clock.now()
    found = _running_attempt(attempt_id, trainee_id, now)
    if found is None:
        return None
    frozen, running = found
    questions = list(frozen.questions.values())
    scores = grades.scores(questions, running.responses)
    close = grades.Close.of(AttemptStatus.SUBMITTED, now, questions, scores, frozen.pass_mark)
    attempt = _closed(frozen, close)
    settings = settings_of_lesson(frozen.lesson_id, frozen.pass_mark)
    standing = Standing(settings, running.run_ends_at, [*_earlier(frozen), attempt], now)
    if standing.passed or not grades.store_if_unchanged(frozen.id, running.version, close, scores):
        return None
    closed_attempts.put(frozen.id, True)
    graded = {key: GradedAnswer(running.responses.get(key), score) for key, score in scores.items()}
    return review.shown(attempt, settings, lambda: standing, answers=graded)


def _running_attempt(
    attempt_id: int, trainee_id: int, now: datetime
) -> tuple[FrozenAttempt, _Running] | None:
    """The attempt's frozen facts and what it holds now, if it is still running, in time and
    the caller's; None otherwise. An attempt this process has not met is read with its frozen
    facts, in the same statement."""
    frozen = answer_writes.frozen_attempts.get(attempt_id)
    if frozen is None:
        row = _FIRST_MET.row({"attempt_id": attempt_id})
        if row is None:
            return None
        frozen = answer_writes.remember_read(attempt_id, row)
        if row.status != AttemptStatus.IN_PROGRESS:
            return None
    else:
        parameters = {"user_id": frozen.user_id, "started_at": frozen.started_at, "now": now}
        row = _RUNNING.row({**parameters, "attempt_id": attempt_id})
        if row is None:
            return None
    if frozen.user_id != trainee_id or not frozen.open_at(now):
        return None
    return frozen, _Running(row.version, row.run_ends_at, row.responses or {})


# One row: the row version, the course run's end, and the saved responses by question key.
_SEEN_NOW = (
    select(
        cast(literal_column("quiz_attempts.xmin"), Text).label("version"),
        CourseRun.ends_at.label("run_ends_at"),
        select(func.json_object_agg(AttemptAnswer.question_key, AttemptAnswer.response))
        .where(AttemptAnswer.attempt_id == Attempt.id)
        .scalar_subquery()
        .label("responses"),
    )
    .select_from(Attempt)
    .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
    .outerjoin(CourseRun, CourseRun.id == Enrolment.run_id)
    .where(Attempt.id == bindparam("attempt_id"))
)
_RUNNING = DriverRead(
    _SEEN_NOW.where(
        Attempt.user_id == bindparam("user_id"),
        Attempt.started_at == bindparam("started_at", type_=UTCDateTime()),
        Attempt.status == AttemptStatus.IN_PROGRESS,
        Attempt.deadline_at.is_(None)
        | (Attempt.deadline_at > bindparam("now", type_=UTCDateTime())),
    )
)
_FIRST_MET = DriverRead(_SEEN_NOW.add_columns(*answer_writes.FROZEN_COLUMNS, Attempt.status))


def _earlier(frozen: FrozenAttempt) -> list[Attempt]:
    """The trainee's attempts at the quiz before this one, all finished: a start finishes the
    one before (or finds it running and starts none). A first attempt has none to read."""
    if frozen.number == 1:
        return []
    history = attempts.attempts_of(frozen.enrolment_id, frozen.lesson_id, questions=False)
    return [attempt for attempt in history if attempt.number < frozen.number]


def _closed(frozen: FrozenAttempt, close: grades.Close) -> Attempt:
    """The attempt as closed, never added to the session: what its standing and its response
    read of it (its frozen facts are columns of the same names)."""
    facts = {field.name: getattr(frozen, field.name) for field in fields(FrozenAttempt)}
    facts["questions"] = list(frozen.questions.values())
    return Attempt(
        **facts,
        status=close.status,
        submitted_at=close.ended_at,
        score=close.score,
        passed=close.passed,
    )
