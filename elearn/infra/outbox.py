"""The transactional outbox: background work is a row first, a message second.

``enqueue`` writes a row in the caller's transaction and sends the task only after that
transaction commits. If sending fails (broker down) the row stays pending, and ``sweep``
re-sends every row still pending after ``ELEARN_OUTBOX_SWEEP_AFTER_SECONDS``. A row is marked
delivered in the same transaction as the task's own work, so a duplicate delivery is a no-op.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from celery import shared_task
from flask import current_app
from sqlalchemy import Index, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from elearn import clock, uow
from elearn.config import current_settings
from elearn.database import Base
from elearn.extensions import db

log = logging.getLogger(__name__)
MAX_DISPATCHES = 10


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_dispatched_at", "status", "dispatched_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(120))
    queue: Mapped[str] = mapped_column(String(40))
    kwargs: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING)
    dispatches: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    dispatched_at: Mapped[datetime] = mapped_column(default=clock.now)
    delivered_at: Mapped[datetime | None]


def enqueue(task: str, *, queue: str = "default", **kwargs: Any) -> OutboxMessage:
    """Record ``task(**kwargs)`` in the current transaction; send it once that commits."""
    message = OutboxMessage(task=task, queue=queue, kwargs=kwargs)
    db.session.add(message)
    db.session.flush()
    uow.after_commit(partial(dispatch, message.id, task, queue, kwargs))
    return message


def dispatch(message_id: int, task: str, queue: str, kwargs: dict[str, Any]) -> None:
    """Send one outbox row's task to the broker (or run it, in eager mode)."""
    celery_app = current_app.extensions["celery"]
    celery_app.tasks[task].apply_async(kwargs={**kwargs, "outbox_id": message_id}, queue=queue)


def claim(message_id: int) -> bool:
    """Lock a row for delivery; False if it is already delivered (a duplicate message)."""
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update()
    )
    return message is not None and message.status == OutboxStatus.PENDING


def mark_delivered(message_id: int) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=OutboxStatus.DELIVERED, delivered_at=clock.now())
    )


def sweep(limit: int = 500) -> int:
    """Re-send rows still pending after the configured delay; give up after MAX_DISPATCHES."""
    now = clock.now()
    cutoff = now - timedelta(seconds=current_settings().outbox_sweep_after_seconds)
    stuck = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.dispatched_at <= cutoff)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    resent = 0
    for message in stuck:
        if message.dispatches >= MAX_DISPATCHES:
            message.status = OutboxStatus.FAILED
            log.error("outbox message %s (%s) failed for good", message.id, message.task)
            continue
        message.dispatches += 1
        message.dispatched_at = now
        uow.after_commit(
            partial(dispatch, message.id, message.task, message.queue, dict(message.kwargs))
        )
        resent += 1
    return resent


@shared_task(name="elearn.outbox.sweep")
def sweep_outbox() -> int:
    """Beat-driven: re-drive background work stuck in pending."""
    return sweep()
