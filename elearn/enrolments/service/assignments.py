"""Mandatory assignments: a course an administration's officers must complete by a date.

Assigning enrols every covered officer through ``enrolling.admit`` (seats, run windows,
reactivation as everywhere) with source ``assignment`` and the target date as due date. An
officer already holding an enrolment keeps it; compliance judges it by its completion date.
While the target date has not passed, officers who join the administration (or, for a unit
assignment, move into the unit) are enrolled too (``enrol_newcomer``, run on the accounts
domain's signals). An officer who leaves the unit keeps the enrolment and stays counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select

from elearn import clock, policy
from elearn.accounts.models import Administration, Role, User, UserRole
from elearn.audit import service as audit_log
from elearn.courses.models import Course, CourseStatus
from elearn.enrolments.models import (
    AssignedPerson,
    Assignment,
    AssignmentTarget,
    CourseRun,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
)
from elearn.enrolments.service import enrolling
from elearn.errors import Conflict, Invalid, NotFound, Unprocessable
from elearn.extensions import db
from elearn.pagination import Page, PageRequest, fetch_page


@dataclass(frozen=True)
class Coverage:
    """Whom an assignment covers: every officer, the people listed, or one unit's officers."""

    target: AssignmentTarget
    user_ids: Sequence[int] = ()
    unit: str | None = None


@dataclass(frozen=True)
class Compliance:
    assigned: int
    completed_on_time: int
    completed_late: int
    in_progress: int
    not_started: int


def find_assignment(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("No such assignment.")
    return assignment


def assign(
    actor: User,
    administration: Administration,
    course: Course,
    run: CourseRun | None,
    due_at: datetime,
    coverage: Coverage,
) -> Assignment:
    """Assign ``course`` to the administration's officers that ``coverage`` names, all or none."""
    _ensure_assignable(administration, course, run, due_at)
    people = _covered(administration, coverage)
    assignment = Assignment(
        administration_id=administration.id,
        course_id=course.id,
        run_id=run.id if run is not None else None,
        target=coverage.target,
        unit=coverage.unit,
        due_at=due_at,
        created_by_id=actor.id,
    )
    db.session.add(assignment)
    db.session.flush()
    for person in people:
        _enrol(actor, assignment, person)
    audit_log.record(
        actor,
        "assignment.created",
        "assignment",
        assignment.id,
        administration_id=administration.id,
        course_id=course.id,
        run_id=assignment.run_id,
        target=assignment.target,
        unit=assignment.unit,
        people=len(people),
    )
    return assignment


def _ensure_assignable(
    administration: Administration, course: Course, run: CourseRun | None, due_at: datetime
) -> None:
    if due_at <= clock.now():
        raise Invalid("The target date has passed.", errors={"due_at": ["Must be in the future."]})
    if course.status != CourseStatus.PUBLISHED:
        raise Conflict(f"The course is {course.status}; only published courses can be assigned.")
    if not course.admits(administration.id):
        raise Unprocessable(f"The course is closed to {administration.code}; not assignable.")
    if run is not None and not run.admits(administration.id):
        raise Unprocessable(f"The run is closed to {administration.code}; choose another run.")
    enrolling.ensure_enrollable(course, run)


def _covered(administration: Administration, coverage: Coverage) -> list[User]:
    if coverage.target == AssignmentTarget.LIST:
        return _listed(administration, coverage.user_ids)
    if coverage.target == AssignmentTarget.ALL:
        return _officers(administration)
    people = _officers(administration, User.unit == coverage.unit)
    if not people:
        raise Invalid(
            f"No active officer of {administration.code} is in the unit {coverage.unit!r}.",
            errors={"unit": ["No active officer is in this unit; check the spelling."]},
        )
    return people


def _officers(administration: Administration, *criteria: ColumnElement[bool]) -> list[User]:
    """The administration's active trainees (who meet ``criteria``)."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.administration_id == administration.id,
                User.active.is_(True),
                User.role_links.any(UserRole.role == Role.TRAINEE),
                *criteria,
            )
            .order_by(User.id)
        )
    )


def _listed(administration: Administration, user_ids: Sequence[int]) -> list[User]:
    found = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_(user_ids), User.administration_id == administration.id)
        )
    }
    missing = [user_id for user_id in dict.fromkeys(user_ids) if user_id not in found]
    if missing:
        raise NotFound(f"No such person in {administration.code}: {missing[0]}.")
    inactive = [user.full_name for user in found.values() if not user.active]
    if inactive:
        raise Conflict(f"{inactive[0]} is deactivated and cannot be assigned a course.")
    return [found[user_id] for user_id in dict.fromkeys(user_ids)]


def _enrol(actor: User | None, assignment: Assignment, person: User) -> None:
    admission = enrolling.admit(
        actor, person, assignment.course, assignment.run, EnrolmentSource.ASSIGNMENT
    )
    if admission.enrolled:
        admission.enrolment.due_at = assignment.due_at
    db.session.add(
        AssignedPerson(assignment_id=assignment.id, user_id=person.id, assigned_at=clock.now())
    )


def enrol_newcomer(user: User) -> None:
    """Enrol an officer who joined an administration, or a unit, in the open assignments that
    now cover them: to every officer, or to their unit (idempotent)."""
    if not user.active or not user.has_role(Role.TRAINEE):
        return
    covering = Assignment.target == AssignmentTarget.ALL
    if user.unit is not None:
        covering |= (Assignment.target == AssignmentTarget.UNIT) & (Assignment.unit == user.unit)
    open_assignments = db.session.scalars(
        select(Assignment).where(
            Assignment.administration_id == user.administration_id,
            covering,
            Assignment.due_at > clock.now(),
            ~select(AssignedPerson)
            .where(AssignedPerson.assignment_id == Assignment.id, AssignedPerson.user_id == user.id)
            .exists(),
        )
    ).all()
    for assignment in open_assignments:
        if not policy.enrolments.can_be_enrolled(user, assignment.course, assignment.run):
            continue
        # Joining the administration never fails because of a course: a closed or full run
        # leaves the newcomer out of that assignment, and the audit trail says why.
        try:
            enrolling.ensure_enrollable(assignment.course, assignment.run)
            _enrol(None, assignment, user)
        except Conflict as refusal:
            audit_log.record(
                None,
                "assignment.newcomer_not_enrolled",
                "assignment",
                assignment.id,
                administration_id=assignment.administration_id,
                user_id=user.id,
                reason=refusal.detail,
            )


def list_assignments(actor: User, page: PageRequest) -> Page[Assignment]:
    """The assignments ``actor`` may see, soonest target date first."""
    statement = (
        select(Assignment)
        .where(policy.assignments.visible.filter(actor))
        .order_by(Assignment.due_at, Assignment.id)
    )
    return fetch_page(statement, page)


def compliance(assignment: Assignment) -> Compliance:
    """The covered officers by where they stand against the target date (one query)."""
    completed = Enrolment.status == EnrolmentStatus.COMPLETED
    on_time = completed & (Enrolment.completed_at <= assignment.due_at)
    started = (Enrolment.status == EnrolmentStatus.ACTIVE) & (
        Enrolment.started_at.is_not(None) | (Enrolment.progress_percent > 0)
    )
    row = db.session.execute(
        select(
            func.count(),
            func.count(case((on_time, 1))),
            func.count(case((completed & ~on_time, 1))),
            func.count(case((started, 1))),
        )
        .select_from(AssignedPerson)
        .outerjoin(
            Enrolment,
            (Enrolment.user_id == AssignedPerson.user_id)
            & (Enrolment.course_id == assignment.course_id),
        )
        .where(AssignedPerson.assignment_id == assignment.id)
    ).one()
    assigned, completed_on_time, completed_late, in_progress = row
    return Compliance(
        assigned=assigned,
        completed_on_time=completed_on_time,
        completed_late=completed_late,
        in_progress=in_progress,
        not_started=assigned - completed_on_time - completed_late - in_progress,
    )
