"""Queueing mail as notifications, and sending each one at most once."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from elearn import clock
from elearn.accounts.models import User
from elearn.config import current_settings
from elearn.database import insert_or_get, locked
from elearn.extensions import db
from elearn.infra import outbox
from elearn.infra.mail import Mailer, OutgoingMail, PermanentMailError, TemporaryMailError
from elearn.infra.tasks import backoff_seconds
from elearn.notifications import rendering
from elearn.notifications.kinds import KINDS
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


def _by_dedupe_key(dedupe_key: str) -> Notification | None:
    return db.session.scalar(select(Notification).where(Notification.dedupe_key == dedupe_key))


def notify(user: User, kind: str, context: Mapping[str, Any], dedupe_key: str) -> Notification:
    """Queue one mail to ``user`` in the caller's transaction; a used dedupe key changes nothing."""
    _check_context(kind, context)
    existing = _by_dedupe_key(dedupe_key)
    if existing is not None:
        return existing
    notification, created = insert_or_get(
        Notification(
            user_id=user.id,
            kind=kind,
            dedupe_key=dedupe_key,
            language=user.language,
            context=dict(context),
        ),
        lambda: _by_dedupe_key(dedupe_key),
    )
    if not created:
        return notification
    outbox.enqueue(SEND_TASK, queue="mail", notification_id=notification.id)
    return notification


def compose(notification: Notification) -> OutgoingMail:
    """The mail of ``notification``, rendered now in its language."""
    user = notification.user
    values = {
        **notification.context,
        **KINDS[notification.kind](notification),
        "full_name": user.full_name,
    }
    rendered = rendering.render(notification.kind, notification.language, values)
    return OutgoingMail(
        to=user.email,
        to_name=user.full_name,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        message_key=f"notification.{notification.id}.{notification.created_at:%Y%m%d%H%M%S}",
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


def deliver(notification_id: int, mailer: Mailer) -> None:
    """Send a pending notification, its row locked meanwhile; any other status is left alone.

    A permanent refusal marks it failed with the reason, an inactive user suppressed. A
    temporary failure is counted and the next try scheduled with exponential backoff
    (``retry_due`` sends it then), until ``ELEARN_MAIL_MAX_ATTEMPTS`` attempts mark it failed.
    """
    notification = locked(select(Notification).where(Notification.id == notification_id))
    if notification is None or notification.status != NotificationStatus.PENDING:
        return
    if not notification.user.active:
        _finish(notification, NotificationStatus.SUPPRESSED, None)
        return
    notification.attempts += 1
    try:
        mailer.send(compose(notification))
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
