"""Course runs: creating, editing, reading, and whether a run takes enrolments now."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from elearn import clock, policy
from elearn.accounts import service as accounts
from elearn.accounts.models import Administration, User
from elearn.audit import service as audit_log
from elearn.courses import rules
from elearn.courses.models import Course
from elearn.database import changed_since, values_of
from elearn.enrolments import signals
from elearn.enrolments.models import (
    HOLDING_STATUSES,
    CourseRun,
    Enrolment,
    EnrolmentStatus,
)
from elearn.errors import Conflict, Invalid, NotFound
from elearn.extensions import db
from elearn.pagination import Page, PageRequest, fetch_page

RUN_FIELDS = (
    "name",
    "enrolment_opens_at",
    "enrolment_closes_at",
    "starts_at",
    "ends_at",
    "due_at",
    "capacity",
    "reminder_offsets_days",
    "idle_after_days",
    "admission",
    "trainer_confirms",
)
# (earlier, later): pairs of dates that must come in this order when both are set.
DATE_ORDER = (
    ("enrolment_opens_at", "enrolment_closes_at"),
    ("starts_at", "ends_at"),
    ("enrolment_opens_at", "ends_at"),
)


@dataclass(frozen=True)
class RunView:
    run: CourseRun
    seats_taken: int


def find_run(run_id: int) -> CourseRun:
    run = db.session.get(CourseRun, run_id)
    if run is None:
        raise NotFound("No such run.")
    return run


def find_course_run(course: Course, run_id: int) -> CourseRun:
    """A run of ``course``; another course's run is a field error of the request."""
    run = db.session.get(CourseRun, run_id)
    if run is None or run.course_id != course.id:
        raise Invalid("No such run.", errors={"run_id": ["No such run of this course."]})
    return run


def has_runs(course: Course) -> bool:
    return (
        db.session.scalar(select(CourseRun.id).where(CourseRun.course_id == course.id)) is not None
    )


def seats_taken(run_ids: Sequence[int]) -> dict[int, int]:
    """Active and completed enrolments per run (withdrawn and expired ones free their seat)."""
    if not run_ids:
        return {}
    rows = db.session.execute(
        select(Enrolment.run_id, func.count())
        .where(Enrolment.run_id.in_(run_ids), Enrolment.status.in_(HOLDING_STATUSES))
        .group_by(Enrolment.run_id)
    ).all()
    taken = dict.fromkeys(run_ids, 0)
    taken.update({run_id: count for run_id, count in rows if run_id is not None})
    return taken


def closed_reason(run: CourseRun, now: datetime) -> str | None:
    """Why ``run`` takes no enrolment at ``now``, or None when it is open."""
    if run.enrolment_opens_at is not None and now < run.enrolment_opens_at:
        return f"Enrolment in this run opens at {run.enrolment_opens_at.isoformat()}."
    if run.enrolment_closes_at is not None and now >= run.enrolment_closes_at:
        return "Enrolment in this run is closed."
    if run.ends_at is not None and now >= run.ends_at:
        return "This run has ended."
    return None


def list_runs(actor: User, course: Course, page: PageRequest) -> Page[RunView]:
    """The runs of ``course`` that ``actor`` may see, soonest first, with their seats taken."""
    statement = (
        select(CourseRun)
        .where(CourseRun.course_id == course.id, policy.enrolments.run_visible.filter(actor))
        .order_by(CourseRun.starts_at.is_(None), CourseRun.starts_at, CourseRun.id)
    )
    runs = fetch_page(statement, page)
    taken = seats_taken([run.id for run in runs.items])
    views = [RunView(run, taken[run.id]) for run in runs.items]
    return Page(items=views, total=runs.total, request=runs.request)


def run_view(run: CourseRun) -> RunView:
    return RunView(run, seats_taken([run.id])[run.id])


def create_run(actor: User, course: Course, values: Mapping[str, Any]) -> CourseRun:
    """A new run of ``course``; its dates are in order and it admits only admitted people."""
    run = CourseRun(course_id=course.id)
    _apply(course, run, values)
    db.session.add(run)
    db.session.flush()
    audit_log.record(actor, "course_run.created", "course_run", run.id, course_id=course.id)
    return run


def update_run(
    actor: User, course: Course, run: CourseRun, changes: Mapping[str, Any]
) -> CourseRun:
    """Edit a run; a new run due date moves the enrolments that kept the old one."""
    old_due_at = run.due_at
    old_administrations = sorted(run.administration_ids)
    before = values_of(run, set(changes) & set(RUN_FIELDS))
    _apply(course, run, changes)
    changed = changed_since(run, before)
    if sorted(run.administration_ids) != old_administrations:
        changed.append("administrations")
    if "due_at" in changes and run.due_at != old_due_at and run.due_at is not None:
        _move_run_due_dates(run, old_due_at)
    db.session.flush()
    if changed:
        audit_log.record(
            actor,
            "course_run.updated",
            "course_run",
            run.id,
            course_id=course.id,
            fields=sorted(changed),
        )
    return run


def _move_run_due_dates(run: CourseRun, old_due_at: datetime | None) -> None:
    # Enrolments whose date was extended one by one keep it; the others follow the run.
    followers = select(Enrolment).where(
        Enrolment.run_id == run.id, Enrolment.status == EnrolmentStatus.ACTIVE
    )
    followers = followers.where(
        Enrolment.due_at.is_(None) if old_due_at is None else Enrolment.due_at == old_due_at
    )
    for enrolment in db.session.scalars(followers):
        enrolment.due_at = run.due_at
        signals.due_date_changed.send(enrolment.id, previous=old_due_at)


def _apply(course: Course, run: CourseRun, values: Mapping[str, Any]) -> None:
    for name in RUN_FIELDS:
        if name in values:
            setattr(run, name, values[name])
    errors = {
        later: [f"Must be after {earlier}."]
        for earlier, later in DATE_ORDER
        if getattr(run, earlier) is not None
        and getattr(run, later) is not None
        and getattr(run, later) <= getattr(run, earlier)
    }
    if values.get("due_at") is not None and values["due_at"] <= clock.now():
        errors["due_at"] = ["Must be in the future."]
    if errors:
        raise Invalid("The run's dates are out of order or past.", errors=errors)
    if run.reminder_offsets_days is not None:
        problems = rules.reminder_offset_problems(run.reminder_offsets_days, run.days_to_finish)
        if problems:
            raise Invalid(
                "The reminder offsets do not fit the run.",
                errors={"reminder_offsets_days": problems},
            )
    if "administrations" in values:
        run.restrict_to(_admitted(course, values["administrations"]))


def _admitted(course: Course, codes: Iterable[str]) -> list[Administration]:
    found = [accounts.resolve_administration(code) for code in codes]
    administrations = [a for a in found if a is not None]
    outside = sorted(a.code for a in administrations if not course.admits(a.id))
    if outside:
        raise Invalid(
            "A run cannot admit administrations the course is closed to.",
            errors={"administrations": [f"The course is closed to {', '.join(outside)}."]},
        )
    return administrations


def ensure_open(run: CourseRun) -> None:
    """Raise Conflict unless ``run`` takes enrolments now."""
    reason = closed_reason(run, clock.now())
    if reason is not None:
        raise Conflict(reason)
