"""The kinds of notification, and the values each kind's templates get at render time.

Values made here exist only while a mail is rendered inside the sending task. That is where a
secret such as a one-time link belongs: never in a notification's stored context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from elearn.accounts import passwords
from elearn.config import current_settings
from elearn.notifications.admission_kinds import ADMISSION_KINDS
from elearn.notifications.models import Notification

RenderValues = Callable[[Notification], dict[str, Any]]


def _set_password(notification: Notification) -> dict[str, Any]:
    """The link to the front end's set-password page, which posts the token to
    ``/api/v1/auth/set-password``; the token works once and expires."""
    settings = current_settings()
    token = passwords.make_set_password_token(notification.user)
    page = f"{settings.public_base_url.rstrip('/')}/set-password"
    return {
        "link": f"{page}?{urlencode({'token': token})}",
        "ttl_hours": settings.set_password_ttl_hours,
    }


def _certificate_issued(notification: Notification) -> dict[str, Any]:
    """The public verification page of the new certificate (its code is in the context)."""
    base = current_settings().public_base_url.rstrip("/")
    return {"verification_link": f"{base}/verify/{notification.context['verification_code']}"}


KINDS: dict[str, RenderValues] = {
    "set_password": _set_password,
    "certificate_issued": _certificate_issued,
    **ADMISSION_KINDS,
}
