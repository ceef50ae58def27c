"""Attempts: start (drawing and freezing questions), save answers, submit, expire, grade.

The server owns the clock: an attempt past its deadline takes no more answers and is finalised
as ``expired`` (graded with the answers saved in time) by whichever comes first of any request
on it (a refused late save included), the trainee's next start or result, or the
``elearn.quizzes.expire_attempts`` beat task.
Writes hold the attempt row (starting holds the enrolment row), so concurrent saves, submits and
expiry apply one after the other. The row is locked and read in one statement (``FOR UPDATE``
returns its latest version); what a write reads besides (the enrolment's attempts) comes from
statements that start after the lock is held, so it includes whatever the previous holder
committed. The attempt's answers are read by the locking statement itself, which sees them as
of its snapshot: on PostgreSQL it finds nothing when the row it locked is no longer the version
that snapshot saw (a write committed while it waited), and the answers are then read after the
lock instead (``held_attempt``). The same statement brings the attempt's enrolment and run;
the frozen questions come from the process's memory of the attempt when it has one (they never
change), and the quiz's settings from ``settings_of_lesson``.

Submitting a first attempt reads no history: while it runs no other attempt can start (a start
holds the enrolment and finds it running), so it is the trainee's only one. A failed first
submit is thus two statements on PostgreSQL (the held attempt; its close with every score,
``grades.store``) and the commit; the usual one, its own trainee's in a process that knows it,
is closed without the ORM or a transaction before it comes here (``submission``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import contains_eager, defer, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from elearn import clock, uow
from elearn.courses.models import Lesson, LessonKind
from elearn.database import locked, on_postgresql
from elearn.enrolments.models import HOLDING_STATUSES, Enrolment
from elearn.enrolments.service import lookups as enrolments_service
from elearn.errors import Conflict, Invalid, NotFound
from elearn.extensions import db
from elearn.quizzes.models import Attempt, AttemptAnswer, AttemptStatus
from elearn.quizzes.service import answers as answer_writes
from elearn.quizzes.service import grades
from elearn.quizzes.service.answers import Saved
from elearn.quizzes.service.quiz import Quiz, QuizSettings, settings_of_lesson
from elearn.quizzes.service.snapshot import freeze_attempt
from elearn.quizzes.service.standing import Standing

EXPIRY_BATCH = 500


def find_attempt(attempt_id: int, *, for_update: bool = False) -> Attempt:
    """The attempt, with its answers unless ``for_update`` (then the attempt row is held until
    the transaction ends, and the answers are read when first used: after the lock)."""
    statement = select(Attempt).where(Attempt.id == attempt_id)
    if for_update:
        attempt = locked(statement)
    else:
        found = db.session.execute(statement.options(joinedload(Attempt.answers)))
        attempt = found.unique().scalar_one_or_none()
    if attempt is None:
        raise NotFound("No such attempt.")
    return attempt


def held_attempt(attempt_id: int) -> tuple[Attempt, QuizSettings]:
    """The attempt held for writing, with its answers and its quiz's current settings: in one
    statement unless another write on the attempt committed while it waited for the row (the
    settings are remembered by the process: ``settings_of_lesson``)."""
    attempt = _held(attempt_id, with_answers=True) or _held(attempt_id, with_answers=False)
    if attempt is None:
        raise NotFound("No such attempt.")
    return attempt, settings_of_lesson(attempt.lesson_id, attempt.pass_mark)


def _held(attempt_id: int, *, with_answers: bool) -> Attempt | None:
    """The attempt row locked and read afresh; ``with_answers``: its answers too, read by the
    same statement, which then finds nothing if the row it locked is not the version its
    snapshot saw (on PostgreSQL: the answers would predate a write that committed meanwhile,
    as the ones a save reads, see ``answers``). Without them, the answers are read when first
    used, after the lock (the module docstring). Frozen questions the process knows (they never
    change) are not read again: joined to the answers, they would come once per answer."""
    known = answer_writes.frozen_attempts.get(attempt_id)
    statement = _holding(questions=known is None, answers=with_answers, postgresql=on_postgresql())
    attempt = db.session.scalars(statement, {"attempt_id": attempt_id}).unique().first()
    if attempt is not None and known is not None:
        set_committed_value(attempt, "questions", list(known.questions.values()))
    return attempt


@cache
def _holding(*, questions: bool, answers: bool, postgresql: bool) -> Select[Attempt]:
    """The statement of ``_held`` for the attempt id bound as ``attempt_id``, built once per
    variant rather than for every request (with its cache key: SQLAlchemy keeps it on the
    statement)."""
    statement = (
        select(Attempt)
        .where(Attempt.id == bindparam("attempt_id"))
        .options(joinedload(Attempt.enrolment).joinedload(Enrolment.run))
        .with_for_update(of=Attempt)
        .execution_options(populate_existing=True)
    )
    if not questions:
        statement = statement.options(defer(Attempt.questions))
    if answers:
        statement = statement.outerjoin(Attempt.answers).options(contains_eager(Attempt.answers))
        if postgresql:
            statement = statement.where(answer_writes.UNCHANGED_SINCE_SNAPSHOT)
    return statement


def standing(enrolment: Enrolment, settings: QuizSettings, attempts: Sequence[Attempt]) -> Standing:
    """The trainee's standing with a quiz of ``settings`` from their ``attempts`` at it, after
    finalising one that ran out of time."""
    for attempt in attempts:
        finish_if_overdue(attempt, settings)
    return Standing(settings, enrolment.run_ends_at, attempts, clock.now())


def quiz_standing(trainee_id: int, quiz: Quiz) -> Standing:
    """The caller's standing with a quiz of a course they learn in (403 when not enrolled): the
    enrolment and its attempts in one statement (their frozen questions only if one must be
    finalised now), under the quiz's settings as the process remembers them."""
    rows = db.session.execute(
        select(Enrolment, Attempt)
        .outerjoin(Attempt, (Attempt.enrolment_id == Enrolment.id) & (Attempt.lesson_id == quiz.id))
        .where(enrolments_service.holding(trainee_id, quiz.course.id))
        .order_by(Attempt.number)
        .options(joinedload(Enrolment.run), defer(Attempt.questions))
    ).all()
    if not rows:
        raise enrolments_service.not_enrolled()
    attempts = [row.Attempt for row in rows if row.Attempt is not None]
    settings = settings_of_lesson(quiz.id, quiz.course.pass_mark)
    return standing(rows[0].Enrolment, settings, attempts)


def start_attempt(trainee_id: int, quiz: Quiz, language: str) -> tuple[Attempt, bool]:
    """The trainee's running attempt, or a new one (created: True, in ``language`` when the quiz
    has it) when the quiz's attempt limit, cooldown and the course run allow; 409 naming the
    reason otherwise."""
    enrolment = enrolments_service.holding_enrolment(trainee_id, quiz.course.id, for_update=True)
    if not quiz.open_to_trainees or quiz.definition is None:
        raise Conflict("This quiz takes no attempts.")
    current = standing(enrolment, quiz.settings, attempts_of(enrolment.id, quiz.id))
    if current.running is not None:
        answer_writes.remember(current.running)
        return current.running, False
    _ensure_may_start(current)
    now = clock.now()
    settings = quiz.settings
    language = _attempt_language(quiz, language)
    attempt = Attempt(
        lesson_id=quiz.id,
        enrolment_id=enrolment.id,
        user_id=trainee_id,
        number=len(current.attempts) + 1,
        language=language,
        status=AttemptStatus.IN_PROGRESS,
        started_at=now,
        deadline_at=_deadline(now, settings, enrolment),
        pass_mark=settings.pass_mark,
        answers=[],
        questions=freeze_attempt(
            quiz.definition.definition, language, quiz.course.default_language
        ),
    )
    db.session.add(attempt)
    db.session.flush()
    answer_writes.remember(attempt)
    return attempt, True


def _ensure_may_start(current: Standing) -> None:
    if current.run_ended:
        raise Conflict("The course run has ended; the quiz takes no more attempts.")
    if current.attempts_left == 0:
        raise Conflict(
            f"All {current.settings.max_attempts} attempts at this quiz have been used.",
            extra={"attempts_left": 0},
        )
    next_at = current.next_attempt_at
    if next_at is not None and next_at > current.now:
        raise Conflict(
            "The next attempt may start after the quiz's cooldown.",
            extra={"next_attempt_at": next_at.isoformat()},
        )


def _attempt_language(quiz: Quiz, wanted: str) -> str:
    return wanted if wanted in quiz.languages else quiz.course.default_language


def _deadline(now: datetime, settings: QuizSettings, enrolment: Enrolment) -> datetime | None:
    """The time limit from now, cut short by the end of the trainee's course run."""
    limits = []
    if settings.time_limit_minutes is not None:
        limits.append(now + timedelta(minutes=settings.time_limit_minutes))
    if enrolment.run_ends_at is not None:
        limits.append(enrolment.run_ends_at)
    return min(limits, default=None)


def save_answers(attempt: Attempt, settings: QuizSettings, answers: Mapping[str, Any]) -> Saved:
    """Store the given answers (None clears one), all or none, and return the keys of the
    questions answered now: 422 when an answer names a question outside the attempt or does
    not fit its question's type; 409 once the attempt is submitted or past its deadline. The
    attempt is held (``held_attempt``): its own trainee's checked path."""
    now = clock.now()
    _ensure_open(attempt, settings, now)
    frozen = answer_writes.remember(attempt)
    errors = answer_writes.problems(frozen, answers)
    if errors:
        raise Invalid("Some answers do not fit the attempt; none was saved.", errors=errors)
    saved = answer_writes.write(frozen, answers, now)
    if saved is None:  # the attempt is held, running and in time: the write holds it too
        raise RuntimeError(f"attempt {attempt.id} was not held for writing")
    return saved


def _ensure_open(attempt: Attempt, settings: QuizSettings, now: datetime) -> None:
    if not attempt.finished and _overdue(attempt, now):
        finish_if_overdue(attempt, settings)
    if attempt.status == AttemptStatus.EXPIRED:
        raise Conflict(
            "The attempt's time is up; it takes no more answers.",
            extra={"attempt_status": attempt.status},
        )
    if attempt.finished:
        raise Conflict(
            "The attempt has been submitted; it takes no more answers.",
            extra={"attempt_status": attempt.status},
        )


def _overdue(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline_at is not None and now >= attempt.deadline_at


def submit_attempt(attempt: Attempt, settings: QuizSettings) -> Standing:
    """Grade and close the attempt, and return the trainee's standing with the quiz after it.
    Submitting again changes nothing; submitting after the deadline closes it as expired with
    the answers saved in time."""
    finished = finish_if_overdue(attempt, settings)
    if finished is None and not attempt.finished:
        finished = _finalise(attempt, AttemptStatus.SUBMITTED, clock.now(), settings)
    return standing_of(attempt, settings) if finished is None else finished


def finish_if_overdue(attempt: Attempt, settings: QuizSettings) -> Standing | None:
    """Finalise a running attempt whose deadline has passed (committed even when the request
    is then refused); the trainee's standing after it when it did, None when it did not."""
    if attempt.finished or not _overdue(attempt, clock.now()):
        return None
    find_attempt(attempt.id, for_update=True)  # the same object, held and re-read
    if attempt.finished or attempt.deadline_at is None:
        return None
    finished = _finalise(attempt, AttemptStatus.EXPIRED, attempt.deadline_at, settings)
    # The expiry is a fact, not part of what a refused request asked for: it stays recorded.
    uow.current().keep_when_refused()
    return finished


def expire_overdue(limit: int = EXPIRY_BATCH) -> int:
    """Finalise up to ``limit`` running attempts past their deadline; how many it did.
    Rows another transaction holds are skipped: that transaction finalises them itself."""
    overdue = db.session.scalars(
        select(Attempt)
        .where(Attempt.status == AttemptStatus.IN_PROGRESS, Attempt.deadline_at <= clock.now())
        .order_by(Attempt.deadline_at, Attempt.id)
        .limit(limit)
        .options(selectinload(Attempt.answers))
        .with_for_update(skip_locked=True)
    ).all()
    settings: dict[int, QuizSettings] = {}
    for attempt in overdue:
        if attempt.lesson_id not in settings:
            settings[attempt.lesson_id] = settings_of_lesson(attempt.lesson_id, attempt.pass_mark)
        ended_at = attempt.deadline_at or clock.now()
        _finalise(attempt, AttemptStatus.EXPIRED, ended_at, settings[attempt.lesson_id])
    return len(overdue)


def _finalise(
    attempt: Attempt, status: AttemptStatus, ended_at: datetime, settings: QuizSettings
) -> Standing:
    """Grade every question of the attempt, close it, and record the quiz as passed when the
    trainee's grade now reaches the pass mark; the trainee's standing after it."""
    scores = _graded(attempt)
    close = grades.Close.of(status, ended_at, attempt.questions, scores, attempt.pass_mark)
    grades.store(attempt, close, scores)
    now = _standing_after_closing(attempt, settings)
    enrolment = attempt.enrolment
    if now.passed and _may_record_pass(enrolment, attempt.lesson_id):
        enrolments_service.record_quiz_passed(enrolment, attempt.lesson_id)
    return now


def _standing_after_closing(attempt: Attempt, settings: QuizSettings) -> Standing:
    """The standing once ``attempt``, held while it ran, is closed: no later attempt can have
    started meanwhile (a start finds it running), so the first attempt is all there is."""
    if attempt.number == 1:
        return Standing(settings, attempt.enrolment.run_ends_at, [attempt], clock.now())
    return standing_of(attempt, settings)


def _graded(attempt: Attempt) -> dict[str, float]:
    """The score of every question of the attempt by key, in order; the attempt's answers in
    the session become a row for each with its score, as ``grades.store`` stores them."""
    saved = {row.question_key: row for row in attempt.answers}
    scores = grades.scores(attempt.questions, {key: row.response for key, row in saved.items()})
    graded = []
    for key, score in scores.items():
        row = saved.get(key) or AttemptAnswer(attempt_id=attempt.id, question_key=key)
        set_committed_value(row, "score", score)
        graded.append(row)
    set_committed_value(attempt, "answers", graded)
    return scores


def _may_record_pass(enrolment: Enrolment, lesson_id: int) -> bool:
    """A withdrawn enrolment, or a lesson no longer a quiz, takes no progress; the attempt is
    still graded (and expiry never stalls on it)."""
    lesson = db.session.get(Lesson, lesson_id)
    return (
        enrolment.status in HOLDING_STATUSES
        and lesson is not None
        and lesson.kind == LessonKind.QUIZ
    )


def standing_of(attempt: Attempt, settings: QuizSettings) -> Standing:
    """The trainee's standing with the attempt's quiz, as stored now."""
    history = attempts_of(attempt.enrolment_id, attempt.lesson_id, questions=False)
    # ``attempts_of`` loaded the enrolment: reaching it costs no statement.
    return Standing(settings, attempt.enrolment.run_ends_at, history, clock.now())


def attempts_of(enrolment_id: int, lesson_id: int, *, questions: bool = True) -> list[Attempt]:
    """An enrolment's attempts at one quiz, in order, with the enrolment and its run (answers
    are read when used; the frozen questions too unless ``questions``: a standing needs none)."""
    parameters = {"enrolment_id": enrolment_id, "lesson_id": lesson_id}
    return list(db.session.scalars(_attempts_statement(questions=questions), parameters))


@cache
def _attempts_statement(*, questions: bool) -> Select[Attempt]:
    """The statement of ``attempts_of``, its enrolment and lesson bound by name, built once per
    variant (as ``_holding``)."""
    statement = (
        select(Attempt)
        .where(
            Attempt.enrolment_id == bindparam("enrolment_id"),
            Attempt.lesson_id == bindparam("lesson_id"),
        )
        .order_by(Attempt.number)
        .options(joinedload(Attempt.enrolment).joinedload(Enrolment.run))
    )
    if not questions:
        statement = statement.options(defer(Attempt.questions))
    return statement
