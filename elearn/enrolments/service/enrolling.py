"""Enrolling people in a course (and run): admission, seats, due dates, reactivation.

A person has one enrolment per course, ever (unique pair). Enrolling while active or completed
returns that enrolment unchanged; enrolling after withdrawing or expiring reactivates the same
row, keeping its progress. Seats are counted under a lock on the run row, so a run never takes
more people than its capacity; two requests racing to enrol the same person meet at the unique
constraint, where the loser's INSERT is undone by its savepoint and it returns the winner's row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from elearn import clock, policy
from elearn.accounts.models import User
from elearn.courses.models import Course, CourseStatus
from elearn.database import insert_or_get_all, lock, locked
from elearn.enrolments import signals
from elearn.enrolments.models import (
    HOLDING_STATUSES,
    CourseRun,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    RunAdmission,
)
from elearn.enrolments.service import runs, tallies, trail
from elearn.errors import Conflict, Forbidden, Invalid
from elearn.extensions import db

ADMISSION_HINTS = {
    RunAdmission.OPEN: "This run is open: enrol directly instead.",
    RunAdmission.NOMINATION: "This run takes only officers their contact point nominates.",
    RunAdmission.APPROVAL: "This run takes officers whose seat request is approved.",
}


@dataclass(frozen=True)
class Admission:
    """The enrolment a request ends with; ``enrolled`` is False when it existed already."""

    enrolment: Enrolment
    enrolled: bool


def choose_run(course: Course, run_id: int | None) -> CourseRun | None:
    """The run named by ``run_id``; a course taught in runs needs one named."""
    if run_id is not None:
        return runs.find_course_run(course, run_id)
    if runs.has_runs(course):
        raise Invalid(
            "This course is taught in runs; choose one.",
            errors={"run_id": ["Required for a course with runs."]},
        )
    return None


def ensure_enrollable(course: Course, run: CourseRun | None) -> None:
    """Raise Conflict unless the course is published and the run (if any) takes enrolments."""
    if course.status != CourseStatus.PUBLISHED:
        raise Conflict(f"The course is {course.status}; only published courses take enrolments.")
    if run is not None:
        runs.ensure_open(run)


def ensure_open_admission(run: CourseRun | None) -> None:
    """Raise Conflict unless people enrol in ``run`` without a nomination or an approval."""
    if run is not None and run.admission != RunAdmission.OPEN:
        raise Conflict(ADMISSION_HINTS[RunAdmission(run.admission)])


def enrol_self(actor: User, course: Course, run_id: int | None) -> Admission:
    """Enrol the caller: published course, open run with a seat left, administration admitted."""
    run = choose_run(course, run_id)
    existing = find_enrolment(actor.id, course.id)
    if existing is not None and existing.status in HOLDING_STATUSES:
        return Admission(existing, enrolled=False)
    ensure_enrollable(course, run)
    ensure_open_admission(run)
    if not policy.enrolments.can_be_enrolled(actor, course, run):
        raise Forbidden("Your administration is not admitted to this course or run.")
    return admit(actor, actor, course, run, EnrolmentSource.SELF)


def seats_left(run: CourseRun) -> int | None:
    """Seats still free in ``run`` (None: unlimited); hold the run lock while acting on it."""
    if run.capacity is None:
        return None
    return max(0, run.capacity - runs.seats_taken([run.id])[run.id])


def find_enrolment(user_id: int, course_id: int, *, lock: bool = False) -> Enrolment | None:
    statement = select(Enrolment).where(
        Enrolment.user_id == user_id, Enrolment.course_id == course_id
    )
    return locked(statement, of=Enrolment) if lock else db.session.scalar(statement)


def admit(
    actor: User | None, person: User, course: Course, run: CourseRun | None, source: EnrolmentSource
) -> Admission:
    """Enrol ``person`` (admission checked): find the existing, reactivate it, or insert.

    The run lock comes first: after it, an enrolment a concurrent request committed is
    visible, so a person enrolling twice at once gets their enrolment back, not "run full".
    """
    if run is not None:
        lock(CourseRun, run.id)
    existing = find_enrolment(person.id, course.id, lock=True)
    if existing is not None and existing.status in HOLDING_STATUSES:
        return Admission(existing, enrolled=False)
    if run is not None and seats_left(run) == 0:
        raise Conflict("This run is full.")
    if existing is not None:
        reactivate(actor, existing, course, run, source)
        return Admission(existing, enrolled=True)
    [(enrolment, created)] = insert_enrolments(actor, [new_enrolment(person, course, run, source)])
    return Admission(enrolment, enrolled=created)


def due_date(course: Course, run: CourseRun | None, enrolled_at: datetime) -> datetime | None:
    """The run's due date; otherwise ``course.due_days`` after enrolling, when set."""
    if run is not None and run.due_at is not None:
        return run.due_at
    if course.due_days:
        return enrolled_at + timedelta(days=course.due_days)
    return None


def new_enrolment(
    person: User, course: Course, run: CourseRun | None, source: EnrolmentSource
) -> Enrolment:
    now = clock.now()
    return Enrolment(
        user_id=person.id,
        course_id=course.id,
        run_id=run.id if run is not None else None,
        status=EnrolmentStatus.ACTIVE,
        source=source,
        enrolled_at=now,
        due_at=due_date(course, run, now),
        progress_percent=0,
    )


def reactivate(
    actor: User | None,
    enrolment: Enrolment,
    course: Course,
    run: CourseRun | None,
    source: EnrolmentSource,
) -> None:
    """A withdrawn or expired enrolment becomes active again, keeping its progress."""
    now = clock.now()
    before = tallies.standing(enrolment)
    previous = enrolment.status
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.run_id = run.id if run is not None else None
    enrolment.source = source
    enrolment.enrolled_at = now
    enrolment.due_at = due_date(course, run, now)
    enrolment.completed_at = None
    db.session.flush()
    tallies.count([(before, tallies.standing(enrolment))])
    trail.record(actor, enrolment, "enrolment.reactivated", previous=previous, source=source)
    signals.enrolment_started.send(enrolment.id)


def insert_enrolments(
    actor: User | None, enrolments: Sequence[Enrolment]
) -> list[tuple[Enrolment, bool]]:
    """Insert new enrolments (True); a person another request enrolled meanwhile gets that
    enrolment instead (False)."""
    inserted = insert_or_get_all(
        enrolments, lambda enrolment: find_enrolment(enrolment.user_id, enrolment.course_id)
    )
    for enrolment, created in inserted:
        if created:
            trail.record(actor, enrolment, "enrolment.created", source=enrolment.source)
            signals.enrolment_started.send(enrolment.id)
    tallies.count((None, tallies.standing(enrolment)) for enrolment, created in inserted if created)
    return inserted
