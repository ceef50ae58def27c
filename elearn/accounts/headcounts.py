"""Administration headcounts: trainees and active trainees, moved with every change to a user.

The accounts service tells ``count`` how a user stood before and after a change, in the same
transaction; ``recount`` rebuilds every row from the users (after a bulk load).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import case, delete, func, insert, select, text

from elearn.accounts.models import AdministrationHeadcount, Role, User, UserRole
from elearn.database import add_to_counters, on_postgresql
from elearn.extensions import db


@dataclass(frozen=True)
class Standing:
    """What the headcounts count of one user."""

    administration_id: int | None
    trainee: bool
    active: bool


def standing(user: User) -> Standing:
    return Standing(user.administration_id, user.has_role(Role.TRAINEE), user.active)


class Headcount(NamedTuple):
    trainees: int
    active_trainees: int


def of(administration_id: int) -> Headcount:
    """The administration's trainees and active trainees."""
    row = db.session.execute(
        select(AdministrationHeadcount.trainees, AdministrationHeadcount.active_trainees).where(
            AdministrationHeadcount.administration_id == administration_id
        )
    ).one_or_none()
    return Headcount(row[0], row[1]) if row is not None else Headcount(0, 0)


def count(before: Standing | None, after: Standing | None) -> None:
    """Move the headcounts by one user's change (None: the user did not exist)."""
    deltas: dict[int, Counter[str]] = {}
    for side, sign in ((before, -1), (after, 1)):
        if side is None or side.administration_id is None or not side.trainee:
            continue
        counts = deltas.setdefault(side.administration_id, Counter())
        counts["trainees"] += sign
        counts["active_trainees"] += sign if side.active else 0
    for administration_id in sorted(deltas):
        add_to_counters(
            AdministrationHeadcount,
            {"administration_id": administration_id},
            {name: deltas[administration_id][name] for name in ("trainees", "active_trainees")},
        )


def recount() -> None:
    """Rebuild every headcount from the users (holding the table against concurrent counts)."""
    if on_postgresql():
        db.session.execute(text("LOCK TABLE administration_headcounts IN EXCLUSIVE MODE"))
    db.session.execute(delete(AdministrationHeadcount))
    trainees = (
        select(
            User.administration_id,
            func.count(User.id),
            func.coalesce(func.sum(case((User.active.is_(True), 1), else_=0)), 0),
        )
        .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == Role.TRAINEE.value))
        .where(User.administration_id.isnot(None))
        .group_by(User.administration_id)
    )
    columns = ["administration_id", "trainees", "active_trainees"]
    db.session.execute(insert(AdministrationHeadcount).from_select(columns, trainees))
    db.session.flush()
