"""Attempts at a quiz and their answers.

A quiz is a quiz lesson of the courses domain (its ``QuizDefinition`` holds settings and
questions); an attempt refers to the lesson, whose id never changes when a package is
re-imported. The attempt keeps a frozen copy of the questions it drew (texts in its language,
option order, answer key), its pass mark and deadline, so later edits of the quiz never change it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.accounts.models import User
from elearn.database import Base, Timestamped
from elearn.enrolments.models import Enrolment


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    # The deadline passed before the trainee submitted: graded with the answers saved in time.
    EXPIRED = "expired"


FINISHED_STATUSES = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)


class AttemptAnswer(Base):
    """One question of a finished or running attempt: the saved response and, once graded, its
    score as a fraction of the question's points. Graded attempts have a row for every question
    (unanswered ones with no response), so statistics count what was asked."""

    __tablename__ = "quiz_attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(80))
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    saved_at: Mapped[datetime | None]
    score: Mapped[float | None]


class Attempt(Timestamped, Base):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "lesson_id", "number"),
        Index("ix_quiz_attempts_lesson_id_status", "lesson_id", "status"),
        Index("ix_quiz_attempts_status_deadline_at", "status", "deadline_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No cascade: this key is what refuses deleting a lesson with attempts (it is archived).
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(20), default=AttemptStatus.IN_PROGRESS)
    started_at: Mapped[datetime]
    deadline_at: Mapped[datetime | None]
    # When the attempt ended: the submission, or the deadline for an expired attempt.
    submitted_at: Mapped[datetime | None]
    pass_mark: Mapped[int]
    # Percent of the attempt's points, set when it is graded.
    score: Mapped[float | None]
    passed: Mapped[bool | None]
    questions: Mapped[list[Any]]

    user: Mapped[User] = relationship()
    enrolment: Mapped[Enrolment] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by=AttemptAnswer.id
    )

    @property
    def finished(self) -> bool:
        return self.status != AttemptStatus.IN_PROGRESS
