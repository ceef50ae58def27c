"""The kinds of notification: each one's category, urgency, whether it is still true when its
turn comes, and the values its templates get at render time.

Values made here exist only while a mail is rendered inside the sending task. That is where a
secret such as a one-time link belongs: never in a notification's stored context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_percent

from elearn.accounts import passwords
from elearn.config import current_settings
from elearn.enrolments.models import HOLDING_STATUSES, EnrolmentStatus
from elearn.enrolments.service import progress
from elearn.notifications import timing
from elearn.notifications.admission_kinds import ADMISSION_KINDS
from elearn.notifications.models import Notification

RenderValues = Callable[[Notification], dict[str, Any]]
StillTrue = Callable[[Notification], bool]


class Category(StrEnum):
    """What a person may switch off: reminders and digests; never transactional mail."""

    TRANSACTIONAL = "transactional"
    REMINDERS = "reminders"
    DIGESTS = "digests"


SWITCHABLE = (Category.REMINDERS, Category.DIGESTS)


def _always(_notification: Notification) -> bool:
    return True


@dataclass(frozen=True)
class Kind:
    name: str
    category: Category
    values: RenderValues
    # Urgent mail goes out at any hour; the rest waits for the recipient's sending window.
    urgent: bool = False
    # Checked again when the mail is about to leave: a reminder that stopped being true
    # (course completed, due date moved) is cancelled instead of sent.
    still_true: StillTrue = _always


def _base_url() -> str:
    return current_settings().public_base_url.rstrip("/")


def _set_password(notification: Notification) -> dict[str, Any]:
    """The link to the front end's set-password page, which posts the token to
    ``/api/v1/auth/set-password``; the token works once and expires."""
    settings = current_settings()
    token = passwords.make_set_password_token(notification.user)
    return {
        "link": f"{_base_url()}/set-password?{urlencode({'token': token})}",
        "ttl_hours": settings.set_password_ttl_hours,
    }


def _certificate_issued(notification: Notification) -> dict[str, Any]:
    """The public verification page of the new certificate (its code is in the context)."""
    return {
        "verification_link": f"{_base_url()}/verify/{notification.context['verification_code']}"
    }


# enrolment reminders


def _stored_due_at(notification: Notification) -> datetime | None:
    due_at = notification.context.get("due_at")
    return datetime.fromisoformat(due_at) if isinstance(due_at, str) else None


def _enrolment_values(notification: Notification) -> dict[str, Any]:
    """The course, the due date in the recipient's zone and language, and what is left."""
    enrolment = notification.enrolment
    assert enrolment is not None, "an enrolment mail outlives its enrolment only if cancelled"
    recipient = notification.user
    course = enrolment.course
    text = course.translation(notification.language) or course.translation(course.default_language)
    due_at = _stored_due_at(notification)
    zone = recipient.local_time_zone
    return {
        "officer_name": enrolment.user.full_name,
        "course_title": text.title if text is not None else course.code,
        "course_link": f"{_base_url()}/courses/{course.id}",
        "due_date": timing.local_moment(due_at, zone, notification.language) if due_at else None,
        "progress": format_percent(enrolment.progress_percent / 100, locale=notification.language),
        "lessons_left": progress.lessons_left(enrolment),
        "time_zone": zone,
    }


def _idle_values(notification: Notification) -> dict[str, Any]:
    values = _enrolment_values(notification)
    since = datetime.fromisoformat(notification.context["activity_at"])
    values["idle_since"] = timing.local_day(
        since, notification.user.local_time_zone, notification.language
    )
    return values


def _digest_values(notification: Notification) -> dict[str, Any]:
    code = notification.context["administration_code"]
    return {"report_link": f"{_base_url()}/reports/administrations/{code}"}


def _is_active_with_same_due_date(notification: Notification) -> bool:
    enrolment = notification.enrolment
    return (
        enrolment is not None
        and enrolment.status == EnrolmentStatus.ACTIVE
        and enrolment.due_at == _stored_due_at(notification)
    )


def _is_still_held(notification: Notification) -> bool:
    enrolment = notification.enrolment
    return enrolment is not None and enrolment.status in HOLDING_STATUSES


def _is_still_idle(notification: Notification) -> bool:
    enrolment = notification.enrolment
    if enrolment is None or enrolment.status != EnrolmentStatus.ACTIVE:
        return False
    activity = enrolment.last_activity_at or enrolment.enrolled_at
    return activity.isoformat() == notification.context["activity_at"]


def _is_still_expired(notification: Notification) -> bool:
    enrolment = notification.enrolment
    return (
        enrolment is not None
        and enrolment.status == EnrolmentStatus.EXPIRED
        and enrolment.due_at == _stored_due_at(notification)
    )


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("set_password", Category.TRANSACTIONAL, _set_password, urgent=True),
        Kind("certificate_issued", Category.TRANSACTIONAL, _certificate_issued, urgent=True),
        Kind("enrolled", Category.TRANSACTIONAL, _enrolment_values, still_true=_is_still_held),
        Kind(
            "due_soon",
            Category.REMINDERS,
            _enrolment_values,
            still_true=_is_active_with_same_due_date,
        ),
        Kind("overdue", Category.REMINDERS, _enrolment_values, still_true=_is_still_expired),
        Kind("overdue_copy", Category.REMINDERS, _enrolment_values, still_true=_is_still_expired),
        Kind("idle", Category.REMINDERS, _idle_values, still_true=_is_still_idle),
        Kind("weekly_digest", Category.DIGESTS, _digest_values),
        *(Kind(name, Category.TRANSACTIONAL, values) for name, values in ADMISSION_KINDS.items()),
    )
}
