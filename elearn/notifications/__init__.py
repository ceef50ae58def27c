"""Notifications: every mail is first a row, written in the transaction that causes it, then
sent by the ``elearn.notifications.send`` task on the ``mail`` queue."""

from __future__ import annotations

from flask import Flask

from elearn.notifications import admission_mail, subscriptions
from elearn.notifications.tasks import send_notification

__all__ = ["init_app", "send_notification"]


def init_app(app: Flask) -> None:
    """Subscribe to the signals that cause mail (importing this package registers the task)."""
    subscriptions.connect()
    admission_mail.connect()
