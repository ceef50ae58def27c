"""Request and response shapes of mail preferences and the admins' mail log."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from elearn.notifications.kinds import KINDS
from elearn.notifications.models import NotificationStatus
from elearn.notifications.queries import NotificationFilter
from elearn.pagination import PageArgs
from elearn.schemas import ChangesSchema, Integer

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class PreferencesSchema(ma.Schema):
    reminders = ma.fields.Boolean(
        metadata={"description": "Due soon, overdue and idle mail (and contact points' copies)"}
    )
    digests = ma.fields.Boolean(metadata={"description": "The contact points' weekly digest"})
    transactional = ma.fields.Constant(
        True, metadata={"description": "Set-password, enrolled, certificates: always sent"}
    )
    digest_day = ma.fields.Function(lambda preferences: WEEKDAYS[preferences.digest_weekday])
    digest_hour = Integer()
    overdue_copies = ma.fields.Boolean(
        metadata={"description": "Contact points: a copy of each overdue mail (else digest only)"}
    )


class PreferencesUpdateSchema(ChangesSchema):
    reminders = ma.fields.Boolean()
    digests = ma.fields.Boolean()
    digest_day = ma.fields.String(validate=ma.validate.OneOf(WEEKDAYS))
    digest_hour = Integer(validate=ma.validate.Range(min=0, max=23))
    overdue_copies = ma.fields.Boolean()

    @ma.post_load
    def _to_columns(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "digest_day" in data:
            data["digest_weekday"] = WEEKDAYS.index(data.pop("digest_day"))
        return data


class NotificationSchema(ma.Schema):
    id = Integer()
    kind = ma.fields.String()
    status = ma.fields.String()
    recipient = ma.fields.Function(
        lambda notification: {
            "id": notification.user.id,
            "email": notification.user.email,
            "full_name": notification.user.full_name,
            "administration": (
                notification.user.administration.code if notification.user.administration else None
            ),
        }
    )
    enrolment_id = Integer(allow_none=True)
    language = ma.fields.String()
    attempts = Integer()
    last_error = ma.fields.String(allow_none=True)
    next_try_at = ma.fields.AwareDateTime(
        allow_none=True, metadata={"description": "The next attempt, or when a held mail goes"}
    )
    sent_at = ma.fields.AwareDateTime(allow_none=True)
    created_at = ma.fields.AwareDateTime()


class NotificationListArgs(PageArgs):
    kind = ma.fields.String(validate=ma.validate.OneOf(sorted(KINDS)))
    status = ma.fields.Enum(NotificationStatus, by_value=True)
    recipient = Integer(metadata={"description": "A user id"})
    administration = ma.fields.String(metadata={"description": "The recipient's administration"})
    since = ma.fields.AwareDateTime(metadata={"description": "Created at or after"})
    until = ma.fields.AwareDateTime(metadata={"description": "Created before"})

    @ma.post_load
    def _to_filter(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["criteria"] = NotificationFilter(
            kind=data.pop("kind", None),
            status=data.pop("status", None),
            recipient_id=data.pop("recipient", None),
            administration_code=data.pop("administration", None),
            since=data.pop("since", None),
            until=data.pop("until", None),
        )
        return data
