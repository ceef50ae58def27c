"""Submitting a trainee's own running attempt: graded in Python from its saved answers, closed
on PostgreSQL by statements that each commit themselves.

An attempt of its own trainee, in time, that does not pass (the usual submit: a pass is
recorded once) needs no transaction, and a first one not the ORM either. Its frozen facts come
from the process's memory, or are read once (``answers.frozen``), and its quiz's settings from
``settings_of_lesson``; a later attempt's standing reads the earlier ones (``attempts_of``),
which are finished and never change. One statement reads the attempt's row version (``xmin``)
with its saved answers and its course run's end, if it is still running, in time and the
caller's, without holding it; the answers are graded in Python; a last statement (``grades``)
closes the attempt and stores every score, but only if its row is still the version read:
every save, submit and expiry updates the row, so one committed in between leaves the close
with nothing to write. The request lets the statements commit themselves
(``uow.statements_first_commit_themselves``): no BEGIN and no COMMIT round trips, and the close
with its scores is still one statement, which waits for the WAL flush before it answers.

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

from sqlalchemy import Text, bindparam, cast, literal_column, select

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
    frozen = answer_writes.frozen(attempt_id)
    now = clock.now()
    if frozen is None or frozen.user_id != trainee_id or not frozen.open_at(now):
        return None
    running = _running(frozen, now)
    if running is None:
        return None
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


def _running(frozen: FrozenAttempt, now: datetime) -> _Running | None:
    """The attempt's version, run end and saved responses if it is still running, in time
    and its trainee's; None otherwise."""
    rows = _RUNNING.rows(
        {
            "attempt_id": frozen.id,
            "user_id": frozen.user_id,
            "started_at": frozen.started_at,
            "now": now,
        }
    )
    if not rows:
        return None
    version, run_ends_at = rows[0][:2]
    responses = {key: response for *_, key, response in rows if key is not None}
    return _Running(version, run_ends_at, responses)


# One row per saved answer (one row without an answer when there is none).
_RUNNING = DriverRead(
    select(
        cast(literal_column("quiz_attempts.xmin"), Text).label("version"),
        CourseRun.ends_at,
        AttemptAnswer.question_key,
        AttemptAnswer.response,
    )
    .select_from(Attempt)
    .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
    .outerjoin(CourseRun, CourseRun.id == Enrolment.run_id)
    .outerjoin(AttemptAnswer, AttemptAnswer.attempt_id == Attempt.id)
    .where(
        Attempt.id == bindparam("attempt_id"),
        Attempt.user_id == bindparam("user_id"),
        Attempt.started_at == bindparam("started_at", type_=UTCDateTime()),
        Attempt.status == AttemptStatus.IN_PROGRESS,
        Attempt.deadline_at.is_(None)
        | (Attempt.deadline_at > bindparam("now", type_=UTCDateTime())),
    )
)


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
