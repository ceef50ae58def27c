"""What each person wants to receive, and the signed one-click links that switch it off.

A link names one recipient and one category and is signed with ``ELEARN_SECRET_KEY``
(itsdangerous, its own salt): it works without login, for ``ELEARN_UNSUBSCRIBE_LINK_TTL_DAYS``,
and changes that one preference only. A tampered, expired or foreign link changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from elearn import clock
from elearn.accounts.models import User
from elearn.audit import service as audit_log
from elearn.config import current_settings
from elearn.errors import Invalid
from elearn.extensions import db
from elearn.notifications.kinds import SWITCHABLE, Category
from elearn.notifications.models import NotificationPreference

UNSUBSCRIBE_SALT = "elearn.notifications.unsubscribe"
SECONDS_PER_DAY = 86_400


def preferences_of(user_id: int) -> NotificationPreference:
    """The person's preferences: their stored row, or the defaults (not stored)."""
    return stored_or_defaults(user_id, db.session.get(NotificationPreference, user_id))


def stored_or_defaults(
    user_id: int, stored: NotificationPreference | None
) -> NotificationPreference:
    """``stored`` (the person's row, as the caller read it), or the defaults when there is none."""
    if stored is not None:
        return stored
    return NotificationPreference(
        user_id=user_id,
        reminders=True,
        digests=True,
        digest_weekday=0,
        digest_hour=8,
        overdue_copies=True,
    )


def wants(preferences: NotificationPreference, category: Category) -> bool:
    """Whether mail of ``category`` may be sent to the person of ``preferences``
    (transactional always)."""
    if category not in SWITCHABLE:
        return True
    return bool(getattr(preferences, category.value))


def update_preferences(user: User, changes: Mapping[str, Any]) -> NotificationPreference:
    """Store the changed preferences of ``user`` (a row is created on the first change)."""
    preferences = preferences_of(user.id)
    for name, value in changes.items():
        setattr(preferences, name, value)
    db.session.add(preferences)
    db.session.flush()
    audit_log.record(
        user,
        "notification_preferences.changed",
        "user",
        user.id,
        administration_id=user.administration_id,
        fields=sorted(changes),
    )
    return preferences


class _ClockSigner(TimestampSigner):
    """Signs and checks ages on the application clock (frozen in tests)."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_settings().secret_key, salt=UNSUBSCRIBE_SALT, signer=_ClockSigner
    )


def unsubscribe_token(user_id: int, category: Category) -> str:
    """The signed token of one recipient's one-click link for ``category``."""
    if category not in SWITCHABLE:
        raise ValueError("transactional mail cannot be unsubscribed from")
    return _serializer().dumps([user_id, category.value])


@dataclass(frozen=True)
class Unsubscribe:
    user: User
    category: Category


def read_unsubscribe_token(token: str) -> Unsubscribe:
    """The recipient and category a valid token names; Invalid when it is tampered, expired,
    malformed or names nobody."""
    max_age = current_settings().unsubscribe_link_ttl_days * SECONDS_PER_DAY
    try:
        user_id, category = _serializer().loads(token, max_age=max_age)
        chosen = Category(category)
    except (BadSignature, ValueError, TypeError):
        raise Invalid("This unsubscribe link is invalid or has expired.") from None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or chosen not in SWITCHABLE:
        raise Invalid("This unsubscribe link is invalid or has expired.")
    return Unsubscribe(user, chosen)


def unsubscribe(token: str) -> Unsubscribe:
    """Switch off the one category the token names, for the one person it names."""
    request = read_unsubscribe_token(token)
    preferences = preferences_of(request.user.id)
    if getattr(preferences, request.category.value):
        update_preferences(request.user, {request.category.value: False})
    return request
