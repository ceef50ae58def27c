"""The admins' mail log: notifications filtered by kind, status, recipient, administration and
period, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from elearn.accounts.models import Administration, User
from elearn.notifications.models import Notification
from elearn.pagination import Page, PageRequest, fetch_page


@dataclass(frozen=True)
class NotificationFilter:
    kind: str | None = None
    status: str | None = None
    recipient_id: int | None = None
    administration_code: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_notifications(criteria: NotificationFilter, page: PageRequest) -> Page[Notification]:
    """The notifications that match ``criteria``, newest first (the mail log, for admins)."""
    statement = select(Notification).order_by(
        Notification.created_at.desc(), Notification.id.desc()
    )
    if criteria.kind:
        statement = statement.where(Notification.kind == criteria.kind)
    if criteria.status:
        statement = statement.where(Notification.status == criteria.status)
    if criteria.recipient_id is not None:
        statement = statement.where(Notification.user_id == criteria.recipient_id)
    if criteria.administration_code:
        statement = statement.where(
            Notification.user.has(
                User.administration.has(Administration.code == criteria.administration_code.upper())
            )
        )
    if criteria.since is not None:
        statement = statement.where(Notification.created_at >= criteria.since)
    if criteria.until is not None:
        statement = statement.where(Notification.created_at < criteria.until)
    return fetch_page(statement, page)
