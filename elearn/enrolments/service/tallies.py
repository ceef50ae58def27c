"""Enrolment tallies: per administration, course and run, how many officers stand where.

Every change of an enrolment's status, run or progress tells ``count`` how the enrolment stood
before and after, in the same transaction; the tally rows change by the difference with one
``INSERT … ON CONFLICT DO UPDATE SET n = n + delta`` per row, so concurrent transactions add up
instead of overwriting each other (PostgreSQL holds the row until commit). Rows are updated in
key order, so two transactions touching the same rows never wait for each other in a cycle.
``recount`` rebuilds every row from the enrolments (after a bulk load); ``reconcile`` (a daily
beat) compares every row with a recount and corrects, and logs, only those that differ.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    update,
)

from elearn.accounts.models import User
from elearn.database import add_to_counters, on_postgresql
from elearn.enrolments.models import Enrolment, EnrolmentStatus, EnrolmentTally
from elearn.extensions import db

log = logging.getLogger(__name__)

COUNTERS = ("enrolled", "active", "completed", "expired", "withdrawn", "progress_total")
Key = tuple[int, int, int]


@dataclass(frozen=True)
class Standing:
    """What the tallies count of one enrolment."""

    user_id: int
    course_id: int
    run_id: int | None
    status: str
    progress_percent: int

    def counters(self) -> Counter[str]:
        withdrawn = self.status == EnrolmentStatus.WITHDRAWN
        counts = Counter({self.status: 1})
        if not withdrawn:
            counts.update(enrolled=1, progress_total=self.progress_percent)
        return counts


def standing(enrolment: Enrolment) -> Standing:
    return Standing(
        enrolment.user_id,
        enrolment.course_id,
        enrolment.run_id,
        enrolment.status,
        enrolment.progress_percent,
    )


Deltas = dict[Key, Counter[str]]


def count(changes: Iterable[tuple[Standing | None, Standing | None]]) -> None:
    """Move the tallies by each enrolment's change (None: it did not exist, or no longer does)."""
    changes = [(before, after) for before, after in changes if before != after]
    if not changes:
        return
    people = {side.user_id for pair in changes for side in pair if side is not None}
    administrations = _administrations(people)
    deltas: Deltas = defaultdict(Counter)
    for before, after in changes:
        if before is not None:
            _tally(deltas, administrations.get(before.user_id), before, -1)
        if after is not None:
            _tally(deltas, administrations.get(after.user_id), after, 1)
    _apply(deltas)


def move_person(user_id: int, before: int | None, after: int | None) -> None:
    """An officer changed administration: their enrolments move to the other tallies."""
    deltas: Deltas = defaultdict(Counter)
    for enrolment in db.session.scalars(select(Enrolment).where(Enrolment.user_id == user_id)):
        _tally(deltas, before, standing(enrolment), -1)
        _tally(deltas, after, standing(enrolment), 1)
    _apply(deltas)


def _tally(deltas: Deltas, administration_id: int | None, side: Standing, sign: int) -> None:
    if administration_id is None:
        return  # regional office staff belong to no administration's tallies
    key = (administration_id, side.course_id, side.run_id or 0)
    for name, value in side.counters().items():
        deltas[key][name] += sign * value


def _administrations(user_ids: set[int]) -> dict[int, int | None]:
    known = {}
    for user_id in user_ids:
        user = db.session.identity_map.get(db.session.identity_key(User, user_id))
        if user is not None:
            known[user_id] = user.administration_id
    missing = user_ids - set(known)
    if missing:
        rows = db.session.execute(
            select(User.id, User.administration_id).where(User.id.in_(missing))
        )
        known.update((user_id, administration_id) for user_id, administration_id in rows)
    return known


def _apply(deltas: Deltas) -> None:
    for key in sorted(deltas):
        administration_id, course_id, run_key = key
        add_to_counters(
            EnrolmentTally,
            {"administration_id": administration_id, "course_id": course_id, "run_key": run_key},
            {name: deltas[key].get(name, 0) for name in COUNTERS},
        )


def _sum(value: ColumnElement[Any], condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def recount() -> None:
    """Rebuild every tally from the enrolments (holding the table against concurrent counts)."""
    _hold_the_table()
    db.session.execute(delete(EnrolmentTally))
    columns = ["administration_id", "course_id", "run_key", *COUNTERS]
    db.session.execute(insert(EnrolmentTally).from_select(columns, _recounted()))
    db.session.flush()


def reconcile() -> int:
    """Correct every tally that differs from a recount of the enrolments (holding the table
    against concurrent counts meanwhile); how many were wrong. Zero unless something changed
    enrolments without telling ``count`` (a manual fix in the database, a bug)."""
    _hold_the_table()
    zero = (0,) * len(COUNTERS)
    expected = {(a, c, r): tuple(n) for a, c, r, *n in db.session.execute(_recounted())}
    stored = {
        (row.administration_id, row.course_id, row.run_key): tuple(
            getattr(row, name) for name in COUNTERS
        )
        for row in db.session.scalars(select(EnrolmentTally))
    }
    wrong = sorted(
        key
        for key in expected.keys() | stored.keys()
        if expected.get(key, zero) != stored.get(key, zero)
    )
    for key in wrong:
        administration_id, course_id, run_key = key
        figures = dict(zip(COUNTERS, expected.get(key, zero), strict=True))
        if key in stored:
            db.session.execute(
                update(EnrolmentTally)
                .where(
                    EnrolmentTally.administration_id == administration_id,
                    EnrolmentTally.course_id == course_id,
                    EnrolmentTally.run_key == run_key,
                )
                .values(figures)
            )
        else:
            db.session.add(
                EnrolmentTally(
                    administration_id=administration_id,
                    course_id=course_id,
                    run_key=run_key,
                    **figures,
                )
            )
    if wrong:
        log.warning(
            "enrolment tallies corrected to a recount: %d row(s), e.g. %s", len(wrong), wrong[:5]
        )
    db.session.flush()
    return len(wrong)


def _hold_the_table() -> None:
    if on_postgresql():
        db.session.execute(text("LOCK TABLE enrolment_tallies IN EXCLUSIVE MODE"))


def _recounted() -> Select[Any]:
    """Every tally's figures counted from the enrolments: key columns, then ``COUNTERS``."""
    one = literal(1)
    status = Enrolment.status
    withdrawn = status == EnrolmentStatus.WITHDRAWN
    run_key = func.coalesce(Enrolment.run_id, 0)
    figures: list[ColumnElement[Any]] = [
        User.administration_id.expression,
        Enrolment.course_id.expression,
        run_key,
        _sum(one, ~withdrawn),
        _sum(one, status == EnrolmentStatus.ACTIVE),
        _sum(one, status == EnrolmentStatus.COMPLETED),
        _sum(one, status == EnrolmentStatus.EXPIRED),
        _sum(one, withdrawn),
        _sum(Enrolment.progress_percent.expression, ~withdrawn),
    ]
    return (
        select(*figures)
        .join(User, User.id == Enrolment.user_id)
        .where(User.administration_id.isnot(None))
        .group_by(User.administration_id, Enrolment.course_id, run_key)
    )
