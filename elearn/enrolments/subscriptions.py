"""What the signals of lower domains mean for enrolments (connected by ``create_app``)."""

from __future__ import annotations

from elearn.accounts.models import User
from elearn.accounts.signals import administration_changed, unit_changed
from elearn.enrolments.service import assignments, tallies
from elearn.extensions import db


def _person_moved(user_id: int, *, before: int | None, after: int | None) -> None:
    tallies.move_person(user_id, before, after)
    if after is not None:
        assignments.enrol_newcomer(db.session.get_one(User, user_id))


def _unit_changed(user_id: int, *, after: str | None, **_: object) -> None:
    if after is not None:
        assignments.enrol_newcomer(db.session.get_one(User, user_id))


def connect() -> None:
    """When an officer joins or changes administration: keep the enrolment tallies current,
    and enrol them in the open assignments of their new administration; when they move into
    a unit: in the open assignments of that unit (both idempotent)."""
    administration_changed.connect(_person_moved)
    unit_changed.connect(_unit_changed)
