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

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import partial
from operator import eq
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, String, and_, cast, func, literal, or_, select

from elearn import clock
from elearn.accounts.models import DEFAULT_TIME_ZONE, Administration, Role, User, UserRole
from elearn.courses.models import Course
from elearn.enrolments.models import CourseRun, Enrolment, EnrolmentStatus
from elearn.extensions import db
from elearn.notifications import preferences, service
from elearn.notifications.models import Notification
from elearn.portable_sql import iso_timestamp, json_object_of, plus_seconds

WINDOW = timedelta(days=1)
# Offset 0 is a last call this long before the due moment.
LAST_CALL = timedelta(hours=6)
IDLE_NUDGE_EVERY = timedelta(days=7)
DUE_DATE_KINDS = ("due_soon", "overdue", "overdue_copy")
T = TypeVar("T")


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


def _by_run_or_course_setting(
    courses: Mapping[int, T], runs: Mapping[int, T], matches: Callable[[T], bool]
) -> ColumnElement[bool]:
    """The enrolments whose run's setting (``runs``: the runs that set one), else whose
    course's, ``matches``. Settings live on a few courses and runs: they are read
    first, and the enrolments are filtered by course and run id."""
    return or_(
        Enrolment.run_id.in_([run for run, value in runs.items() if matches(value)]),
        and_(
            Enrolment.course_id.in_(
                [course for course, value in courses.items() if matches(value)]
            ),
            or_(Enrolment.run_id.is_(None), Enrolment.run_id.not_in(list(runs))),
        ),
    )


def _recipients(*conditions: ColumnElement[bool]) -> Select[Any]:
    """The enrolments matching ``conditions``, joined to their trainee and the trainee's zone."""
    return (
        select(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(Administration, Administration.id == User.administration_id)
        .where(Enrolment.status == EnrolmentStatus.ACTIVE, *conditions)
    )


def _columns(
    kind: str, dedupe_key: ColumnElement[str], **context: ColumnElement[Any]
) -> tuple[ColumnElement[Any], ...]:
    """The columns ``service.notify_selected`` reads; the dedupe key is
    ``<kind>:<enrolment id>:<dedupe_key>``, the context has the course and due date."""
    zone = func.coalesce(
        func.nullif(User.time_zone, ""), Administration.time_zone, DEFAULT_TIME_ZONE
    )
    return (
        Enrolment.user_id.label("user_id"),
        (f"{kind}:" + cast(Enrolment.id, String) + ":" + dedupe_key).label("dedupe_key"),
        User.language.label("language"),
        json_object_of(
            course_id=Enrolment.course_id.expression,
            due_at=iso_timestamp(Enrolment.due_at),
            **context,
        ).label("context"),
        Enrolment.id.label("enrolment_id"),
        zone.label("time_zone"),
    )


def _offsets_of_courses_and_runs() -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    courses = db.session.execute(select(Course.id, Course.reminder_offsets_days)).all()
    runs = db.session.execute(
        select(CourseRun.id, CourseRun.reminder_offsets_days).where(
            CourseRun.reminder_offsets_days.is_not(None)
        )
    ).all()
    return (
        {course: [int(day) for day in offsets] for course, offsets in courses},
        {run: [int(day) for day in offsets] for run, offsets in runs if offsets is not None},
    )


def _holds(offset: int, offsets: list[int]) -> bool:
    return offset in offsets


def _due_window(offset_days: int, now: datetime) -> tuple[datetime, datetime]:
    """The due dates whose ``offset_days`` reminder is due at ``now``: (after, up to)."""
    if offset_days == 0:
        return now, now + LAST_CALL
    upper = now + timedelta(days=offset_days)
    return upper - WINDOW, upper


def _ahead_of_due_date(offset_days: int) -> timedelta:
    """How long before the due date the ``offset_days`` reminder is due."""
    return timedelta(days=offset_days) if offset_days else LAST_CALL


def send_due_soon(now: datetime | None = None) -> int:
    """Queue every "due soon" reminder whose moment has come; how many were new."""
    now = now or clock.now()
    courses, runs = _offsets_of_courses_and_runs()
    in_use = {day for offsets in (*courses.values(), *runs.values()) for day in offsets}
    queued = 0
    for offset in sorted(in_use):
        after, up_to = _due_window(offset, now)
        ahead = int(_ahead_of_due_date(offset).total_seconds())
        selection = (
            _recipients(
                Enrolment.due_at > max(after, now),
                Enrolment.due_at <= up_to,
                _by_run_or_course_setting(courses, runs, partial(_holds, offset)),
                # Enrolled after this reminder's moment: the enrolled mail said it all.
                plus_seconds(Enrolment.enrolled_at, literal(ahead)) <= Enrolment.due_at,
            )
            .with_only_columns(
                *_columns(
                    "due_soon",
                    iso_timestamp(Enrolment.due_at) + f":{offset}",
                    offset_days=literal(offset),
                )
            )
            .order_by(Enrolment.due_at, Enrolment.id)
        )
        queued += service.notify_selected("due_soon", selection)
    return queued


def _idle_periods_of_courses_and_runs() -> tuple[dict[int, int], dict[int, int]]:
    courses = db.session.execute(select(Course.id, Course.idle_after_days)).all()
    runs = db.session.execute(
        select(CourseRun.id, CourseRun.idle_after_days).where(
            CourseRun.idle_after_days.is_not(None)
        )
    ).all()
    return dict(courses), {run: days for run, days in runs if days is not None}


def send_idle_nudges(now: datetime | None = None) -> int:
    """Queue one nudge per idle period to each active trainee idle for their course's
    ``idle_after_days``, never two within a week; how many were new."""
    now = now or clock.now()
    courses, runs = _idle_periods_of_courses_and_runs()
    nudged_lately = (
        select(Notification.id)
        .where(
            Notification.enrolment_id == Enrolment.id,
            Notification.kind == "idle",
            Notification.created_at > now - IDLE_NUDGE_EVERY,
        )
        .exists()
    )
    idle_since = func.coalesce(Enrolment.last_activity_at, Enrolment.enrolled_at)
    queued = 0
    for days in sorted({*courses.values(), *runs.values()}):
        up_to = now - timedelta(days=days)
        after = up_to - WINDOW
        selection = (
            _recipients(
                or_(
                    and_(Enrolment.last_activity_at > after, Enrolment.last_activity_at <= up_to),
                    and_(
                        Enrolment.last_activity_at.is_(None),
                        Enrolment.enrolled_at > after,
                        Enrolment.enrolled_at <= up_to,
                    ),
                ),
                _by_run_or_course_setting(courses, runs, partial(eq, days)),
                ~nudged_lately,
            )
            .with_only_columns(
                *_columns("idle", iso_timestamp(idle_since), activity_at=iso_timestamp(idle_since))
            )
            .order_by(Enrolment.id)
        )
        queued += service.notify_selected("idle", selection)
    return queued
