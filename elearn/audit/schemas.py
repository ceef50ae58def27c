"""Shapes of the audit trail."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from elearn.audit.service import AuditFilter
from elearn.pagination import PageArgs
from elearn.schemas import Id


class AuditEventSchema(ma.Schema):
    id = Id()
    actor_id = Id(allow_none=True)
    action = ma.fields.String()
    object_type = ma.fields.String()
    object_id = ma.fields.String()
    details = ma.fields.Dict()
    created_at = ma.fields.AwareDateTime()


class AuditListArgs(PageArgs):
    action = ma.fields.String(validate=ma.validate.Length(max=60))
    actor_id = Id()
    object_type = ma.fields.String(validate=ma.validate.Length(max=40))
    object_id = ma.fields.String(validate=ma.validate.Length(max=64))
    since = ma.fields.AwareDateTime()

    @ma.post_load
    def _to_filter(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        fields = ("action", "actor_id", "object_type", "object_id", "since")
        data["criteria"] = AuditFilter(**{name: data.pop(name, None) for name in fields})
        return data
