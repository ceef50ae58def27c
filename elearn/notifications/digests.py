"""The contact points' weekly digest: what happened in their administration this week.

The hourly beat sends each contact point their digest in the hour they chose (default Monday
08:00) in their own time zone; the dedupe key names the contact point and their local date, so a
second beat in the same hour sends nothing more. No digest when there is nothing to say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select

from elearn import clock
from elearn.accounts.models import Administration, Role, User, UserRole
from elearn.enrolments.models import Enrolment, EnrolmentStatus
from elearn.extensions import db
from elearn.notifications import preferences, service, timing
from elearn.notifications.models import Notification

WEEK = timedelta(days=7)
NAMES_SHOWN = 5
# Officers idle for less than this are never listed, whatever their course's idle period.
SHORTEST_IDLE = timedelta(days=1)


@dataclass(frozen=True)
class WeekSummary:
    """Officers of one administration per heading (each officer once per heading)."""

    completed: list[User]
    overdue: list[User]
    due_soon: list[User]
    idle: list[User]

    def is_empty(self) -> bool:
        return not (self.completed or self.overdue or self.due_soon or self.idle)

    def context(self) -> dict[str, Any]:
        """Counts and first names: plain values, as a notification context holds."""
        values: dict[str, Any] = {}
        for heading in ("completed", "overdue", "due_soon", "idle"):
            people: list[User] = getattr(self, heading)
            values[f"{heading}_count"] = len(people)
            values[f"{heading}_names"] = first_names(people)
            values[f"{heading}_more"] = max(0, len(people) - NAMES_SHOWN)
        return values


def first_names(people: Sequence[User]) -> str:
    """The first word of the first ``NAMES_SHOWN`` people's names, comma-separated."""
    return ", ".join(
        person.full_name.split()[0] for person in people[:NAMES_SHOWN] if person.full_name.split()
    )


def _officers(enrolments: Sequence[Enrolment]) -> list[User]:
    people = {enrolment.user_id: enrolment.user for enrolment in enrolments}
    return sorted(people.values(), key=lambda person: (person.full_name.casefold(), person.id))


def week_summary(administration_id: int, now: datetime) -> WeekSummary:
    """Completions of the past 7 days, overdue officers, due within 7 days, idle officers."""
    mine = Enrolment.user.has(User.administration_id == administration_id)
    completed = db.session.scalars(
        select(Enrolment).where(
            mine,
            Enrolment.status == EnrolmentStatus.COMPLETED,
            Enrolment.completed_at > now - WEEK,
        )
    ).all()
    overdue = db.session.scalars(
        select(Enrolment).where(mine, Enrolment.status == EnrolmentStatus.EXPIRED)
    ).all()
    active = Enrolment.status == EnrolmentStatus.ACTIVE
    due_soon = db.session.scalars(
        select(Enrolment).where(
            mine, active, Enrolment.due_at > now, Enrolment.due_at <= now + WEEK
        )
    ).all()
    quiet_since = now - SHORTEST_IDLE
    candidates = db.session.scalars(
        select(Enrolment).where(
            mine,
            active,
            or_(
                Enrolment.last_activity_at <= quiet_since,
                and_(Enrolment.last_activity_at.is_(None), Enrolment.enrolled_at <= quiet_since),
            ),
        )
    ).all()
    idle = [
        enrolment
        for enrolment in candidates
        if (enrolment.last_activity_at or enrolment.enrolled_at)
        <= now - timedelta(days=enrolment.idle_after_days)
    ]
    return WeekSummary(
        _officers(completed), _officers(overdue), _officers(due_soon), _officers(idle)
    )


def _contact_points() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                UserRole.role == Role.CONTACT_POINT,
                User.active.is_(True),
                User.administration_id.is_not(None),
            )
            .order_by(User.id)
        )
    )


def send_weekly_digests(now: datetime | None = None) -> int:
    """Queue the digest of every contact point whose chosen local day and hour is now."""
    now = now or clock.now()
    queued = 0
    for contact_point in _contact_points():
        chosen = preferences.preferences_of(contact_point.id)
        local = now.astimezone(timing.zone(contact_point.local_time_zone))
        if not chosen.digests or (local.weekday(), local.hour) != (
            chosen.digest_weekday,
            chosen.digest_hour,
        ):
            continue
        administration = contact_point.administration
        assert isinstance(administration, Administration)
        key = f"weekly_digest:{contact_point.id}:{administration.id}:{local.date().isoformat()}"
        if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
            continue
        summary = week_summary(administration.id, now)
        if summary.is_empty():
            continue
        context = {
            **summary.context(),
            "administration_code": administration.code,
            "administration_name": administration.name(contact_point.language),
            "week_ending": timing.local_day(
                now, contact_point.local_time_zone, contact_point.language
            ),
        }
        service.notify(contact_point, "weekly_digest", context, key)
        queued += 1
    return queued
