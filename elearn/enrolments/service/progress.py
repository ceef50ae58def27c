"""Lesson progress, the progress percentage, and completion.

Recording progress holds the enrolment row (SELECT … FOR UPDATE on PostgreSQL), so the last two
lessons finished at the same moment are counted one after the other and the second one sees
the course complete. Completion is a conditional UPDATE … WHERE status = 'active': only the
transaction whose update changed the row emits ``enrolment_completed``, so it is sent once
whatever the order or repetition of events.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Select, func, select, update

from elearn import clock
from elearn.courses.models import Course, Lesson, LessonKind, LessonRule, QuizRule
from elearn.database import insert_or_get, locked
from elearn.enrolments.models import (
    HOLDING_STATUSES,
    Enrolment,
    EnrolmentStatus,
    LessonProgress,
)
from elearn.enrolments.service import tallies, trail
from elearn.enrolments.signals import enrolment_completed
from elearn.errors import Conflict, Invalid, NotFound
from elearn.extensions import db


def counted_lessons(course: Course) -> Select[int]:
    """The lessons the course's completion rule requires (active ones only), as a query."""
    statement = select(Lesson.id).where(Lesson.course_id == course.id, Lesson.archived_at.is_(None))
    if course.completion_lessons == LessonRule.REQUIRED:
        statement = statement.where(Lesson.required.is_(True))
    if course.completion_quizzes != QuizRule.REQUIRED:
        statement = statement.where(Lesson.kind != LessonKind.QUIZ)
    return statement


def lessons_left(enrolment: Enrolment) -> int:
    """How many lessons the completion rule still asks of ``enrolment`` (one query)."""
    counted = counted_lessons(enrolment.course).subquery()
    done = select(LessonProgress.lesson_id).where(LessonProgress.enrolment_id == enrolment.id)
    left = db.session.scalar(
        select(func.count()).select_from(counted).where(counted.c.id.not_in(done))
    )
    return left or 0


def complete_lesson(enrolment: Enrolment, lesson_id: int) -> Enrolment:
    """Mark a lesson of the course done (idempotent); quiz lessons complete by passing."""
    lesson = _course_lesson(enrolment, lesson_id)
    if lesson.archived_at is not None:
        raise Conflict("This lesson is archived; it takes no new progress.")
    if lesson.kind == LessonKind.QUIZ:
        raise Conflict("This is a quiz lesson: pass the quiz to complete it.")
    record_progress(enrolment, lesson)
    return enrolment


def record_quiz_pass(enrolment: Enrolment, lesson_id: int) -> None:
    """Mark a passed quiz lesson done (idempotent) and re-evaluate completion."""
    lesson = _course_lesson(enrolment, lesson_id)
    if lesson.kind != LessonKind.QUIZ:
        raise Invalid("Not a quiz lesson.", errors={"lesson_id": ["Not a quiz lesson."]})
    record_progress(enrolment, lesson)


def _course_lesson(enrolment: Enrolment, lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.course_id != enrolment.course_id:
        raise NotFound("No such lesson in this course.")
    return lesson


def record_progress(enrolment: Enrolment, lesson: Lesson) -> None:
    """Store the lesson as done once; the first time, update activity and evaluate completion."""
    db.session.flush()
    locked(select(Enrolment).where(Enrolment.id == enrolment.id), of=Enrolment)
    if enrolment.status not in HOLDING_STATUSES:
        raise Conflict(f"This enrolment is {enrolment.status}; enrol again to continue.")
    now = clock.now()
    _, recorded = insert_or_get(
        LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id, completed_at=now),
        lambda: db.session.scalar(
            select(LessonProgress).where(
                LessonProgress.enrolment_id == enrolment.id, LessonProgress.lesson_id == lesson.id
            )
        ),
    )
    if not recorded:
        return
    enrolment.started_at = enrolment.started_at or now
    enrolment.last_activity_at = now
    evaluate(enrolment)


def evaluate(enrolment: Enrolment) -> None:
    """Recompute the progress percentage; complete the enrolment when the rule is met."""
    before = tallies.standing(enrolment)
    counted = counted_lessons(enrolment.course).subquery()
    done = (
        select(func.count())
        .select_from(LessonProgress)
        .where(
            LessonProgress.enrolment_id == enrolment.id,
            LessonProgress.lesson_id.in_(select(counted.c.id)),
        )
        .scalar_subquery()
    )
    total, finished = db.session.execute(
        select(select(func.count()).select_from(counted).scalar_subquery(), done)
    ).one()
    enrolment.progress_percent = 100 * finished // total if total else 100
    if finished >= total and enrolment.status == EnrolmentStatus.ACTIVE:
        _complete(enrolment)
    tallies.count([(before, tallies.standing(enrolment))])


def _complete(enrolment: Enrolment) -> None:
    db.session.flush()
    now = clock.now()
    result = db.session.execute(
        update(Enrolment)
        .where(Enrolment.id == enrolment.id, Enrolment.status == EnrolmentStatus.ACTIVE)
        .values(status=EnrolmentStatus.COMPLETED, completed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        return
    db.session.expire(enrolment, ["status", "completed_at", "updated_at"])
    trail.record(enrolment.user, enrolment, "enrolment.completed")
    enrolment_completed.send(enrolment.id)
