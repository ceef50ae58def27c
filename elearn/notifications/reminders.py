"""Reminder rules: which enrolments owe which mail, and exactly once.

Each mail has a dedupe key naming what it is about, so a beat that runs twice, two beats racing
or a redelivered task queue nothing more: ``(enrolment, kind, due date[, offset])`` for due-date
mail, ``(enrolment, start of the idle period)`` for nudges. A new due date therefore gets its own
reminders, and the pending ones of the old date are cancelled when the date changes.

The sweeps select by windows on indexed columns (``status, due_at``; ``status,
last_activity_at``; ``status, enrolled_at``), one window per offset or idle period in use, so a
sweep reads what is due now and never the whole enrolments table. A window is one day wide: a
beat that was down for longer skips the reminders that became stale meanwhile.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from elearn import clock
from elearn.accounts.models import Role, User, UserRole
from elearn.courses.models import Course
from elearn.enrolments.models import CourseRun, Enrolment, EnrolmentStatus
from elearn.extensions import db
from elearn.notifications import preferences, service
from elearn.notifications.models import Notification

WINDOW = timedelta(days=1)
# Offset 0 is a last call this long before the due moment.
LAST_CALL = timedelta(hours=6)
IDLE_NUDGE_EVERY = timedelta(days=7)
DUE_DATE_KINDS = ("due_soon", "overdue", "overdue_copy")
# What each selected enrolment's rules and mail need, loaded with the batch, not row by row.
_WITH_PEOPLE_AND_COURSES = (joinedload(Enrolment.user), joinedload(Enrolment.course))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _enrolment_context(enrolment: Enrolment) -> dict[str, str | int | None]:
    return {"course_id": enrolment.course_id, "due_at": _iso(enrolment.due_at)}


# what enrolment events mean for mail


def mail_enrolled(enrolment_id: int) -> None:
    """The trainee is told they are enrolled, with the due date and the link to start."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        return
    service.notify(
        enrolment.user,
        "enrolled",
        _enrolment_context(enrolment),
        f"enrolled:{enrolment.id}:{enrolment.enrolled_at.isoformat()}",
        enrolment_id=enrolment.id,
    )


def cancel_old_date_reminders(enrolment_id: int, previous: datetime | None) -> None:
    """Pending mail about a due date the enrolment no longer has is cancelled."""
    del previous  # every pending due-date mail names the old date: the new one has none yet
    service.cancel_pending(enrolment_id, DUE_DATE_KINDS, "the due date changed")


def contact_points_of(administration_id: int | None) -> list[User]:
    """The active contact points of an administration."""
    if administration_id is None:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                User.administration_id == administration_id,
                User.active.is_(True),
                UserRole.role == Role.CONTACT_POINT,
            )
            .order_by(User.id)
        )
    )


def mail_overdue(enrolment_id: int, due_at: datetime | None) -> None:
    """The trainee is told the due date passed (and how to ask for another); each contact point
    of their administration gets a copy, unless they chose to see overdue officers only in
    their weekly digest."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or due_at is None:
        return
    key = f"{enrolment.id}:{due_at.isoformat()}"
    context = _enrolment_context(enrolment)
    service.notify(enrolment.user, "overdue", context, f"overdue:{key}", enrolment_id=enrolment.id)
    for contact_point in contact_points_of(enrolment.user.administration_id):
        if contact_point.id == enrolment.user_id:
            continue
        if not preferences.preferences_of(contact_point.id).overdue_copies:
            continue
        service.notify(
            contact_point,
            "overdue_copy",
            context,
            f"overdue_copy:{key}:{contact_point.id}",
            enrolment_id=enrolment.id,
        )


# sweeps


def _offsets_in_use() -> set[int]:
    lists = [
        *db.session.scalars(select(Course.reminder_offsets_days)),
        *db.session.scalars(
            select(CourseRun.reminder_offsets_days).where(
                CourseRun.reminder_offsets_days.is_not(None)
            )
        ),
    ]
    return {int(day) for offsets in lists for day in offsets or ()}


def _due_window(offset_days: int, now: datetime) -> tuple[datetime, datetime]:
    """The due dates whose ``offset_days`` reminder is due at ``now``: (after, up to)."""
    if offset_days == 0:
        return now, now + LAST_CALL
    upper = now + timedelta(days=offset_days)
    return upper - WINDOW, upper


def _reminder_moment(enrolment: Enrolment, offset_days: int) -> datetime:
    assert enrolment.due_at is not None
    return enrolment.due_at - (timedelta(days=offset_days) if offset_days else LAST_CALL)


def send_due_soon(now: datetime | None = None) -> int:
    """Queue every "due soon" reminder whose moment has come; how many were new."""
    now = now or clock.now()
    mails: list[service.Mail] = []
    for offset in sorted(_offsets_in_use()):
        after, up_to = _due_window(offset, now)
        statement = (
            select(Enrolment)
            .where(
                Enrolment.status == EnrolmentStatus.ACTIVE,
                Enrolment.due_at > max(after, now),
                Enrolment.due_at <= up_to,
            )
            .order_by(Enrolment.due_at, Enrolment.id)
            .options(*_WITH_PEOPLE_AND_COURSES)
        )
        for enrolment in db.session.scalars(statement).all():
            if offset not in enrolment.reminder_offsets_days:
                continue
            # Enrolled after this reminder's moment: the enrolled mail said it all.
            if enrolment.enrolled_at > _reminder_moment(enrolment, offset):
                continue
            mails.append(
                service.Mail(
                    enrolment.user,
                    "due_soon",
                    {**_enrolment_context(enrolment), "offset_days": offset},
                    f"due_soon:{enrolment.id}:{_iso(enrolment.due_at)}:{offset}",
                    enrolment.id,
                )
            )
    return service.notify_many(mails)


def _idle_periods_in_use() -> set[int]:
    return {
        *db.session.scalars(select(Course.idle_after_days).distinct()),
        *db.session.scalars(
            select(CourseRun.idle_after_days)
            .where(CourseRun.idle_after_days.is_not(None))
            .distinct()
        ),
    }


def _idle_since(enrolment: Enrolment) -> datetime:
    return enrolment.last_activity_at or enrolment.enrolled_at


def _nudged_lately(enrolment_id: int, now: datetime) -> bool:
    return (
        db.session.scalar(
            select(Notification.id).where(
                Notification.enrolment_id == enrolment_id,
                Notification.kind == "idle",
                Notification.created_at > now - IDLE_NUDGE_EVERY,
            )
        )
        is not None
    )


def send_idle_nudges(now: datetime | None = None) -> int:
    """Queue one nudge per idle period to each active trainee idle for their course's
    ``idle_after_days``, never two within a week; how many were new."""
    now = now or clock.now()
    mails: list[service.Mail] = []
    for days in sorted(_idle_periods_in_use()):
        up_to = now - timedelta(days=days)
        after = up_to - WINDOW
        statement = (
            select(Enrolment)
            .where(
                Enrolment.status == EnrolmentStatus.ACTIVE,
                or_(
                    and_(Enrolment.last_activity_at > after, Enrolment.last_activity_at <= up_to),
                    and_(
                        Enrolment.last_activity_at.is_(None),
                        Enrolment.enrolled_at > after,
                        Enrolment.enrolled_at <= up_to,
                    ),
                ),
            )
            .order_by(Enrolment.id)
            .options(*_WITH_PEOPLE_AND_COURSES)
        )
        for enrolment in db.session.scalars(statement).all():
            if enrolment.idle_after_days != days or _nudged_lately(enrolment.id, now):
                continue
            since = _idle_since(enrolment)
            mails.append(
                service.Mail(
                    enrolment.user,
                    "idle",
                    {**_enrolment_context(enrolment), "activity_at": since.isoformat()},
                    f"idle:{enrolment.id}:{since.isoformat()}",
                    enrolment.id,
                )
            )
    return service.notify_many(mails)
