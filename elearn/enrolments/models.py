"""Course runs (cohorts with dates), enrolments and lesson progress."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.accounts.models import (
    Administration,
    AdministrationLink,
    AdministrationRestricted,
    User,
)
from elearn.courses.models import Course
from elearn.database import Base, Timestamped


class EnrolmentStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


# Enrolments that hold a seat in a run and give access to the course.
HOLDING_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED)


class EnrolmentSource(StrEnum):
    SELF = "self"
    BULK = "bulk"
    IMPORT = "import"
    NOMINATION = "nomination"
    APPROVAL = "approval"
    ASSIGNMENT = "assignment"


class RunAdmission(StrEnum):
    """How people get a seat in a run."""

    OPEN = "open"  # they enrol themselves (and are enrolled by others)
    NOMINATION = "nomination"  # contact points enrol their officers within a quota
    APPROVAL = "approval"  # officers request a seat; their contact point decides


class SeatRequestStatus(StrEnum):
    PENDING = "pending"  # awaiting the contact point
    AWAITING_TRAINER = "awaiting_trainer"  # the contact point approved; the trainer confirms
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# Requests someone still has to decide.
OPEN_REQUEST_STATUSES = (SeatRequestStatus.PENDING, SeatRequestStatus.AWAITING_TRAINER)


class CourseRunAdministration(AdministrationLink, Base):
    """Restricts a run to the officers of the listed administrations (none listed: all)."""

    __tablename__ = "course_run_administrations"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("course_runs.id", ondelete="CASCADE"), primary_key=True
    )


class CourseRun(AdministrationRestricted, Timestamped, Base):
    """A cohort of a course: when it takes enrolments, when it runs, when work is due."""

    __tablename__ = "course_runs"
    administration_link = CourseRunAdministration

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    enrolment_opens_at: Mapped[datetime | None]
    enrolment_closes_at: Mapped[datetime | None]
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    capacity: Mapped[int | None]
    # None: the course's setting applies.
    reminder_offsets_days: Mapped[list[Any] | None]
    idle_after_days: Mapped[int | None]
    admission: Mapped[str] = mapped_column(
        String(20), default=RunAdmission.OPEN, server_default=RunAdmission.OPEN
    )
    # In an approval run: after the contact point approves, the course's trainer confirms.
    trainer_confirms: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    course: Mapped[Course] = relationship()

    @property
    def days_to_finish(self) -> int | None:
        """Whole days from the start of the run to its due date, when both are set."""
        if self.starts_at is None or self.due_at is None:
            return None
        return (self.due_at - self.starts_at).days


class RunQuota(Base):
    """The seats of a nomination run that one administration's contact point may fill."""

    __tablename__ = "run_quotas"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("course_runs.id", ondelete="CASCADE"), primary_key=True
    )
    administration_id: Mapped[int] = mapped_column(
        ForeignKey("administrations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    seats: Mapped[int]


class SeatRequest(Timestamped, Base):
    """An officer's request for a seat in an approval run: one per person and run, reopened
    when asked again after a refusal or a withdrawal."""

    __tablename__ = "seat_requests"
    __table_args__ = (
        UniqueConstraint("run_id", "user_id"),
        Index("ix_seat_requests_status_requested_at", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=SeatRequestStatus.PENDING)
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    run: Mapped[CourseRun] = relationship()


class Enrolment(Timestamped, Base):
    """A person's enrolment in a course: at most one per person and course, ever.

    Withdrawing or expiring keeps the row; enrolling again reactivates it, so progress and
    history stay in one place and the unique pair makes concurrent enrolments converge.
    """

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        Index("ix_enrolments_user_id_status", "user_id", "status"),
        Index("ix_enrolments_course_id_status", "course_id", "status"),
        Index("ix_enrolments_run_id_status", "run_id", "status"),
        # Lists are newest first: across everything (admins), per course, per administration.
        Index("ix_enrolments_enrolled_at_id", "enrolled_at", "id"),
        Index("ix_enrolments_course_id_enrolled_at_id", "course_id", "enrolled_at", "id"),
        # The reminder and expiry sweeps select windows of due dates and of last activity; the
        # overdue figure of reports reads active enrolments past their due date.
        Index("ix_enrolments_status_due_at", "status", "due_at"),
        Index("ix_enrolments_status_last_activity_at", "status", "last_activity_at"),
        Index("ix_enrolments_status_enrolled_at", "status", "enrolled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("course_runs.id"))
    status: Mapped[str] = mapped_column(String(20), default=EnrolmentStatus.ACTIVE)
    source: Mapped[str] = mapped_column(String(20), default=EnrolmentSource.SELF)
    enrolled_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    progress_percent: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    run: Mapped[CourseRun | None] = relationship(lazy="joined")

    @property
    def run_ends_at(self) -> datetime | None:
        """When the enrolment's course run ends (None: no run, or one without an end)."""
        return self.run.ends_at if self.run is not None else None

    @property
    def reminder_offsets_days(self) -> list[int]:
        """The run's reminder offsets, else the course's."""
        if self.run is not None and self.run.reminder_offsets_days is not None:
            return [int(day) for day in self.run.reminder_offsets_days]
        return [int(day) for day in self.course.reminder_offsets_days]

    @property
    def idle_after_days(self) -> int:
        """The run's idle period, else the course's."""
        if self.run is not None and self.run.idle_after_days is not None:
            return self.run.idle_after_days
        return self.course.idle_after_days


class LessonProgress(Base):
    """A lesson an enrolment has completed (a quiz lesson: passed)."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("enrolment_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    # No cascade: this key is what refuses deleting a lesson with progress (it is archived).
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    completed_at: Mapped[datetime]


class EnrolmentTally(Base):
    """How many of one administration's officers stand where in one course run (``run_key`` 0:
    enrolments without a run): kept current in the transaction of every enrolment change, so
    reports read a few rows instead of counting enrolments."""

    __tablename__ = "enrolment_tallies"

    administration_id: Mapped[int] = mapped_column(
        ForeignKey("administrations.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    run_key: Mapped[int] = mapped_column(primary_key=True)
    # Every enrolment but withdrawn ones; progress_total sums their progress percentages.
    enrolled: Mapped[int] = mapped_column(default=0)
    active: Mapped[int] = mapped_column(default=0)
    completed: Mapped[int] = mapped_column(default=0)
    expired: Mapped[int] = mapped_column(default=0)
    withdrawn: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)


class AssignmentTarget(StrEnum):
    ALL = "all"  # every officer of the administration, including those who join later
    LIST = "list"  # the people named
    UNIT = "unit"  # the officers of one unit, including those who join it later


class Assignment(Timestamped, Base):
    """A mandatory course (optionally in one run) for an administration's officers (all, a
    list, or one unit), due by a target date. Open until the target date: officers who join the
    administration (or, for a unit, the unit) meanwhile are enrolled."""

    __tablename__ = "assignments"
    __table_args__ = (
        Index("ix_assignments_administration_id_due_at", "administration_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    administration_id: Mapped[int] = mapped_column(
        ForeignKey("administrations.id", ondelete="CASCADE")
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_runs.id", ondelete="SET NULL"), index=True
    )
    target: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(200))  # with target "unit"
    due_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    administration: Mapped[Administration] = relationship()
    course: Mapped[Course] = relationship()
    run: Mapped[CourseRun | None] = relationship()


class AssignedPerson(Base):
    """One officer an assignment covers; compliance is counted over these rows."""

    __tablename__ = "assigned_people"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    assigned_at: Mapped[datetime]
