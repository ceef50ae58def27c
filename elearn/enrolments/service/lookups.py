"""What other domains ask of enrolments: the caller's enrolment, and quiz passes.

The quizzes domain calls ``holding_enrolment`` before letting someone attempt a quiz, and
``record_quiz_passed`` when an attempt passes; ``Enrolment.run.ends_at`` drives its review
policy "after the run closes".
"""

from __future__ import annotations

from sqlalchemy import select

from elearn.accounts.models import User
from elearn.enrolments.models import HOLDING_STATUSES, Enrolment
from elearn.enrolments.service import progress
from elearn.errors import Forbidden
from elearn.extensions import db

__all__ = ["Enrolment", "holding_enrolment", "record_quiz_passed"]


def holding_enrolment(user: User, course_id: int) -> Enrolment:
    """The user's active or completed enrolment in the course; Forbidden otherwise."""
    enrolment = db.session.scalar(
        select(Enrolment).where(
            Enrolment.user_id == user.id,
            Enrolment.course_id == course_id,
            Enrolment.status.in_(HOLDING_STATUSES),
        )
    )
    if enrolment is None:
        raise Forbidden("You are not enrolled in this course.")
    return enrolment


def record_quiz_passed(enrolment: Enrolment, lesson_id: int) -> None:
    """Mark the quiz lesson complete (idempotent) and re-evaluate completion."""
    progress.record_quiz_pass(enrolment, lesson_id)
