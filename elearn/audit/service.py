"""Recording and reading the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from elearn.accounts.models import User
from elearn.audit.models import AuditEvent
from elearn.extensions import db
from elearn.pagination import Page, PageRequest, fetch_page


def record(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | str,
    *,
    administration_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the change it records)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        administration_id=administration_id,
        details=details,
    )
    db.session.add(event)
    return event


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor_id: int | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None


def list_events(criteria: AuditFilter, page: PageRequest) -> Page[AuditEvent]:
    """Newest first; ties broken by id so pages are stable."""
    statement = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if criteria.action:
        statement = statement.where(AuditEvent.action == criteria.action)
    if criteria.actor_id is not None:
        statement = statement.where(AuditEvent.actor_id == criteria.actor_id)
    if criteria.object_type:
        statement = statement.where(AuditEvent.object_type == criteria.object_type)
    if criteria.object_id:
        statement = statement.where(AuditEvent.object_id == criteria.object_id)
    if criteria.since is not None:
        statement = statement.where(AuditEvent.created_at >= criteria.since)
    return fetch_page(statement, page)
