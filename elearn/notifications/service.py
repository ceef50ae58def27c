"""Queueing mail as notifications, and sending each one at most once.

A notification that is not urgent and falls outside the recipient's sending window is stored
with ``next_try_at`` at the window's opening and sent then by ``retry_due``, like a retry.
When its turn comes, a notification whose category the recipient switched off is suppressed, and
a reminder that is no longer true (course finished, due date moved) is cancelled.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Integer, Select, String, case, literal, null, select, true
from sqlalchemy.orm import defaultload, joinedload

from elearn import clock
from elearn.accounts.models import User
from elearn.audit import service as audit_log
from elearn.config import current_settings
from elearn.courses.models import Course
from elearn.database import UTCDateTime, insert_new, insert_new_selected, locked
from elearn.enrolments.models import Enrolment
from elearn.errors import Conflict, NotFound
from elearn.extensions import db
from elearn.infra import outbox
from elearn.infra.mail import Mailer, OutgoingMail, PermanentMailError, TemporaryMailError
from elearn.infra.tasks import backoff_seconds
from elearn.notifications import preferences, rendering, timing
from elearn.notifications.kinds import KINDS, SWITCHABLE
from elearn.notifications.models import Notification, NotificationStatus

log = logging.getLogger(__name__)
SEND_TASK = "elearn.notifications.send"
_PLAIN_VALUES = (str, int, float, bool, type(None))
_SECRET_WORDS = ("token", "password", "secret")


def _check_context(kind: str, context: Mapping[str, Any]) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    for key, value in context.items():
        if any(word in key.lower() for word in _SECRET_WORDS):
            raise ValueError(f"notification context must not hold secrets ({key!r})")
        if not isinstance(value, _PLAIN_VALUES):
            raise ValueError(f"notification context holds ids and plain values only ({key!r})")


class Mail(NamedTuple):
    """One mail to queue: its recipient, its context (ids and plain values), its dedupe key and
    the enrolment it is about (reminders)."""

    user: User
    context: Mapping[str, Any]
    dedupe_key: str
    enrolment_id: int | None = None


def notify(
    user: User,
    kind: str,
    context: Mapping[str, Any],
    dedupe_key: str,
    *,
    enrolment_id: int | None = None,
) -> int:
    """Queue one mail to ``user`` in the caller's transaction; its notification's id. A used
    dedupe key changes nothing (the id is then the existing notification's)."""
    queued = notify_each(kind, [Mail(user, context, dedupe_key, enrolment_id)])
    if queued:
        return queued[0]
    existing = db.session.scalar(
        select(Notification.id).where(Notification.dedupe_key == dedupe_key)
    )
    assert existing is not None, "a conflict on the dedupe key leaves its row"
    return existing


def notify_each(kind: str, mails: Sequence[Mail]) -> list[int]:
    """Queue each of ``mails`` of ``kind`` in the caller's transaction: one ``INSERT … ON
    CONFLICT DO NOTHING`` and one outbox statement for them all. A mail whose dedupe key is
    used, also by a concurrent transaction, changes nothing. The ids of those queued."""
    for mail in mails:
        _check_context(kind, mail.context)
    if not mails:
        return []
    now = clock.now()
    urgent = KINDS[kind].urgent
    # An urgent mail is never held, so its recipient's time zone is not even looked at.
    held = _held_until(urgent, set() if urgent else {m.user.local_time_zone for m in mails}, now)
    inserted = insert_new(
        Notification,
        [
            {
                "user_id": mail.user.id,
                "kind": kind,
                "dedupe_key": mail.dedupe_key,
                "language": mail.user.language,
                "context": dict(mail.context),
                "enrolment_id": mail.enrolment_id,
                "status": NotificationStatus.PENDING.value,
                "attempts": 0,
                "next_try_at": held.get(mail.user.local_time_zone) if held else None,
                "created_at": now,
            }
            for mail in mails
        ],
        "dedupe_key",
        returning=(Notification.id, Notification.next_try_at),
    )
    outbox.enqueue_each(
        SEND_TASK,
        "notification_id",
        sorted(row.id for row in inserted if row.next_try_at is None),
        queue="mail",
    )
    return sorted(row.id for row in inserted)


def _held_until(urgent: bool, time_zones: Iterable[str], now: datetime) -> dict[str, datetime]:
    """The opening of the sending window of each zone in which it is closed now."""
    if urgent:
        return {}
    settings = current_settings()
    opening = {zone: timing.sending_time(now, zone, settings) for zone in time_zones}
    return {zone: moment for zone, moment in opening.items() if moment > now}


def notify_selected(kind: str, selection: Select[Any]) -> int:
    """Queue one mail of ``kind`` for each row of ``selection``, in one ``INSERT … SELECT``
    (a sweep's reminders: no row is loaded here). The selection's columns are labelled
    ``user_id``, ``dedupe_key``, ``language``, ``context``, ``enrolment_id`` and ``time_zone``
    (the recipient's, for the sending window). Rows whose dedupe key is used, also by a
    concurrent transaction, change nothing. Returns how many were queued."""
    _check_context(kind, {})
    rows = selection.subquery()
    time_zones = db.session.scalars(select(rows.c.time_zone).distinct()).all()
    if not time_zones:
        return 0
    now = clock.now()
    held = _held_until(KINDS[kind].urgent, time_zones, now)
    next_try_at = (
        case(
            *(
                (rows.c.time_zone == zone, literal(moment, UTCDateTime()))
                for zone, moment in held.items()
            ),
            else_=null(),
        )
        if held
        else null()
    )
    inserted = insert_new_selected(
        Notification,
        select(
            rows.c.user_id,
            literal(kind, String()).label("kind"),
            rows.c.dedupe_key,
            rows.c.language,
            rows.c.context,
            rows.c.enrolment_id,
            literal(NotificationStatus.PENDING.value, String()).label("status"),
            literal(0, Integer()).label("attempts"),
            next_try_at.label("next_try_at"),
            literal(now, UTCDateTime()).label("created_at"),
        ).where(true()),  # SQLite reads ON CONFLICT after a SELECT without WHERE as a join's ON
        "dedupe_key",
        returning=(Notification.id, Notification.next_try_at),
    )
    outbox.enqueue_each(
        SEND_TASK,
        "notification_id",
        [row.id for row in inserted if row.next_try_at is None],
        queue="mail",
    )
    return len(inserted)


def compose(notification: Notification) -> OutgoingMail:
    """The mail of ``notification``, rendered now in its language."""
    user = notification.user
    kind = KINDS[notification.kind]
    values = {
        **notification.context,
        **kind.values(notification),
        "full_name": user.full_name,
        "unsubscribe_link": None,
    }
    unsubscribe: dict[str, str] = {}
    if kind.category in SWITCHABLE:
        token = preferences.unsubscribe_token(user.id, kind.category)
        link = f"{current_settings().public_base_url.rstrip('/')}/unsubscribe/{token}"
        values["unsubscribe_link"] = link
        # RFC 8058: a mail client's one-click POST unsubscribes without opening a page.
        unsubscribe = {
            "list_unsubscribe": f"<{link}>",
            "list_unsubscribe_post": "List-Unsubscribe=One-Click",
        }
    rendered = rendering.render(notification.kind, notification.language, values)
    return OutgoingMail(
        to=user.email,
        to_name=user.full_name,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        message_key=f"notification.{notification.id}.{notification.created_at:%Y%m%d%H%M%S}",
        **unsubscribe,
    )


def _finish(notification: Notification, status: NotificationStatus, error: str | None) -> None:
    notification.status = status
    notification.last_error = error
    notification.next_try_at = None
    if status is NotificationStatus.SENT:
        notification.sent_at = clock.now()
    log.info(
        "notification %s (%s) %s after %s attempt(s)",
        notification.id,
        notification.kind,
        status,
        notification.attempts,
    )


# What sending a notification reads, in the statement that locks it: the recipient (and their
# administration, for the time zone), their preferences, and the enrolment a reminder is about
# with its course and the course's titles; not the course's owners, topics or administrations.
_TO_SEND = (
    joinedload(Notification.user).lazyload(User.role_links),
    joinedload(Notification.recipient_preferences),
    joinedload(Notification.enrolment).joinedload(Enrolment.course).lazyload("*"),
    defaultload(Notification.enrolment)
    .defaultload(Enrolment.course)
    .selectinload(Course.translations),
)


def deliver(notification_id: int, mailer: Mailer) -> None:
    """Send a pending notification, its row locked meanwhile; any other status is left alone.

    A permanent refusal marks it failed with the reason, an inactive user suppressed. A
    temporary failure is counted and the next try scheduled with exponential backoff
    (``retry_due`` sends it then), until ``ELEARN_MAIL_MAX_ATTEMPTS`` attempts mark it failed.
    """
    notification = locked(
        select(Notification).where(Notification.id == notification_id).options(*_TO_SEND),
        of=Notification,
    )
    if notification is None or notification.status != NotificationStatus.PENDING:
        return
    kind = KINDS[notification.kind]
    chosen = preferences.stored_or_defaults(
        notification.user_id, notification.recipient_preferences
    )
    if not notification.user.active or not preferences.wants(chosen, kind.category):
        _finish(notification, NotificationStatus.SUPPRESSED, None)
        return
    if not kind.still_true(notification):
        _finish(notification, NotificationStatus.CANCELLED, "no longer true when its turn came")
        return
    mail = compose(notification)
    notification.attempts += 1
    try:
        mailer.send(mail)
    except PermanentMailError as error:
        _finish(notification, NotificationStatus.FAILED, error.reason)
        return
    except TemporaryMailError as error:
        if notification.attempts >= current_settings().mail_max_attempts:
            reason = f"gave up after {notification.attempts} attempts: {error.reason}"
            _finish(notification, NotificationStatus.FAILED, reason[:300])
            return
        notification.last_error = error.reason
        notification.next_try_at = clock.now() + timedelta(
            seconds=backoff_seconds(notification.attempts - 1)
        )
        log.warning("notification %s: attempt %s failed", notification.id, notification.attempts)
        return
    _finish(notification, NotificationStatus.SENT, None)


def retry_due(limit: int = 500) -> int:
    """Queue the next attempt of every pending notification whose retry time has come."""
    due = db.session.scalars(
        select(Notification)
        .where(
            Notification.status == NotificationStatus.PENDING,
            Notification.next_try_at <= clock.now(),
        )
        .order_by(Notification.next_try_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for notification in due:
        notification.next_try_at = None
        outbox.enqueue(SEND_TASK, queue="mail", notification_id=notification.id)
    return len(due)


def cancel_pending(enrolment_id: int, kinds: Collection[str], reason: str) -> int:
    """Cancel the pending mail of these kinds about one enrolment; how many were cancelled."""
    pending = db.session.scalars(
        select(Notification).where(
            Notification.enrolment_id == enrolment_id,
            Notification.status == NotificationStatus.PENDING,
            Notification.kind.in_(kinds),
        )
    ).all()
    for notification in pending:
        _finish(notification, NotificationStatus.CANCELLED, reason)
    return len(pending)


def find_notification(notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        raise NotFound("No such notification.")
    return notification


def resend(actor: User | None, notification: Notification) -> Notification:
    """Queue a failed mail again (rendered anew when sent); any other status is a conflict."""
    if notification.status != NotificationStatus.FAILED:
        raise Conflict(f"This mail is {notification.status}; only failed mail is sent again.")
    notification.status = NotificationStatus.PENDING
    notification.last_error = None
    notification.next_try_at = None
    db.session.flush()
    audit_log.record(
        actor,
        "notification.resent",
        "notification",
        notification.id,
        administration_id=notification.user.administration_id,
        kind=notification.kind,
    )
    outbox.enqueue(SEND_TASK, queue="mail", notification_id=notification.id)
    return notification


def resend_failed(actor: User | None, since: datetime) -> int:
    """Queue again every mail that failed and was written since ``since``; how many."""
    failed = db.session.scalars(
        select(Notification)
        .where(Notification.status == NotificationStatus.FAILED, Notification.created_at >= since)
        .order_by(Notification.id)
    ).all()
    for notification in failed:
        resend(actor, notification)
    return len(failed)
