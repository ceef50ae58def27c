"""What other domains ask of enrolments: the caller's enrolment, and quiz passes.

The quizzes domain calls ``holding_enrolment`` (or reads with the ``holding`` condition and
refuses with ``not_enrolled``) before letting someone attempt a quiz, and
``record_quiz_passed`` when an attempt passes; ``Enrolment.run.ends_at`` drives its review
policy "after the run closes".
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from elearn.database import locked
from elearn.enrolments.models import HOLDING_STATUSES, Enrolment
from elearn.enrolments.service import progress
from elearn.errors import Forbidden
from elearn.extensions import db

__all__ = ["Enrolment", "holding", "holding_enrolment", "not_enrolled", "record_quiz_passed"]


def holding(user_id: int, course_id: int) -> ColumnElement[bool]:
    """The user's active or completed enrolment in the course, as a condition on enrolments."""
    return (
        (Enrolment.user_id == user_id)
        & (Enrolment.course_id == course_id)
        & Enrolment.status.in_(HOLDING_STATUSES)
    )


def not_enrolled() -> Forbidden:
    return Forbidden("You are not enrolled in this course.")


def holding_enrolment(user_id: int, course_id: int, *, for_update: bool = False) -> Enrolment:
    """The user's active or completed enrolment in the course (its row held until the
    transaction ends when ``for_update``); Forbidden otherwise."""
    statement = select(Enrolment).where(holding(user_id, course_id))
    enrolment = locked(statement, of=Enrolment) if for_update else db.session.scalar(statement)
    if enrolment is None:
        raise not_enrolled()
    return enrolment


def record_quiz_passed(enrolment: Enrolment, lesson_id: int) -> None:
    """Mark the quiz lesson complete (idempotent) and re-evaluate completion."""
    progress.record_quiz_pass(enrolment, lesson_id)
