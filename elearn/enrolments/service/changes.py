"""Changing an enrolment: withdrawing it, or giving the trainee another due date."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select

from elearn import clock
from elearn.accounts.models import User
from elearn.enrolments import signals
from elearn.enrolments.models import Enrolment, EnrolmentStatus
from elearn.enrolments.service import tallies, trail
from elearn.errors import Conflict, Invalid, NotFound
from elearn.extensions import db


def find_enrolment(enrolment_id: int) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotFound("No such enrolment.")
    return enrolment


def change_enrolment(actor: User, enrolment: Enrolment, changes: Mapping[str, Any]) -> Enrolment:
    """Apply one change: ``status`` withdrawn, or a new ``due_at``."""
    if changes.get("status") == EnrolmentStatus.WITHDRAWN:
        withdraw(actor, enrolment)
    if "due_at" in changes:
        change_due_date(actor, enrolment, changes["due_at"])
    return enrolment


def withdraw(actor: User, enrolment: Enrolment) -> None:
    """An active enrolment becomes withdrawn; its progress stays for a later return."""
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise Conflict(f"This enrolment is {enrolment.status}; only active ones can be withdrawn.")
    before = tallies.standing(enrolment)
    enrolment.status = EnrolmentStatus.WITHDRAWN
    db.session.flush()
    tallies.count([(before, tallies.standing(enrolment))])
    trail.record(actor, enrolment, "enrolment.withdrawn")


def change_due_date(actor: User, enrolment: Enrolment, due_at: datetime) -> None:
    """A future due date for one trainee; an expired enrolment becomes active again."""
    if due_at <= clock.now():
        raise Invalid("The due date is in the past.", errors={"due_at": ["Must be in the future."]})
    if enrolment.status not in (EnrolmentStatus.ACTIVE, EnrolmentStatus.EXPIRED):
        raise Conflict(f"This enrolment is {enrolment.status}; its due date no longer applies.")
    previous = enrolment.due_at
    before = tallies.standing(enrolment)
    enrolment.due_at = due_at
    enrolment.status = EnrolmentStatus.ACTIVE
    db.session.flush()
    tallies.count([(before, tallies.standing(enrolment))])
    trail.record(
        actor,
        enrolment,
        "enrolment.due_date_changed",
        previous=previous.isoformat() if previous else None,
        due_at=due_at.isoformat(),
    )
    signals.due_date_changed.send(enrolment.id, previous=previous)


def expire_overdue(limit: int = 500) -> int:
    """Active enrolments past their due date become expired (audited); returns how many.

    An expired enrolment takes no progress until the trainer or contact point extends its due
    date or the trainee enrols again; both make it active with its progress kept.
    """
    overdue = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.due_at < clock.now())
        .order_by(Enrolment.due_at, Enrolment.id)
        .limit(limit)
        # ``of``: the joined-in run is on the nullable side of an outer join (PostgreSQL).
        .with_for_update(of=Enrolment, skip_locked=True)
    ).all()
    moves = []
    for enrolment in overdue:
        due_at = cast(datetime, enrolment.due_at)  # the query selected enrolments with a due date
        before = tallies.standing(enrolment)
        enrolment.status = EnrolmentStatus.EXPIRED
        moves.append((before, tallies.standing(enrolment)))
        trail.record(None, enrolment, "enrolment.expired", due_at=due_at.isoformat())
    db.session.flush()
    tallies.count(moves)
    for enrolment in overdue:
        signals.enrolment_expired.send(enrolment.id, due_at=enrolment.due_at)
    return len(overdue)
