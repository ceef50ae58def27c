"""The transactional outbox: background work is a row first, a message second.

``enqueue`` writes a row in the caller's transaction and sends the task only after that
transaction commits. If sending fails (broker down) the row stays pending, and ``sweep``
re-sends every row still pending after ``ELEARN_OUTBOX_SWEEP_AFTER_SECONDS``. The task claims its
row (pending → delivered) in the same transaction as its own work, so a duplicate delivery is a
no-op and a failed run leaves the row pending for the next attempt.

A task that also does the work of other rows (``claim_next``) can be enqueued with ``batch``:
of its rows that one transaction writes, only the first of each ``batch`` is sent; the others
are written unsent (``dispatches`` 0, the number of times a row was sent) for those deliveries'
batches to claim, and any that none claims is sent by the sweeper after its usual delay, like
a row whose publish failed.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Any, NamedTuple

from celery import Celery, shared_task
from flask import current_app, g
from kombu import Producer
from sqlalchemy import (
    ColumnElement,
    Index,
    Integer,
    Select,
    String,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from elearn import clock, uow
from elearn.config import current_settings
from elearn.database import Base, UTCDateTime
from elearn.extensions import db
from elearn.infra.broker import PublishGate, broker_reachable
from elearn.portable_sql import json_object_of, values_table

log = logging.getLogger(__name__)
MAX_DISPATCHES = 10
MAX_SWEEP_WAIT = timedelta(hours=1)
QUEUES = ("default", "certificates", "mail")
_PLAIN = (int, str, bool, type(None))


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


class SweepResult(NamedTuple):
    resent: int
    failed: int


def _celery() -> Celery:
    celery_app: Celery = current_app.extensions["celery"]
    return celery_app


def _check(task: str, queue: str, kwargs: dict[str, Any]) -> None:
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}; expected one of {', '.join(QUEUES)}")
    registered = _celery().tasks.get(task)
    if registered is None:
        raise ValueError(f"unknown task {task!r}")
    inspect.signature(registered.run).bind(**kwargs)
    if not all(isinstance(value, _PLAIN) for value in kwargs.values()):
        raise TypeError("tasks take ids and plain values, never objects")


def enqueue(
    task: str, /, *, queue: str = "default", batch: int = 1, **kwargs: Any
) -> OutboxMessage:
    """Record ``task(**kwargs)`` in the current transaction; send it once that commits, unless
    ``batch`` > 1 and it is not the first of ``batch`` rows of ``task`` in this transaction:
    then it is left pending, unsent, for the batch of a sent one or the sweeper.

    Raises ValueError or TypeError at once for an unknown task or queue, or arguments the task
    does not take, so a mistake fails the request instead of a worker, later.
    """
    _check(task, queue, kwargs)
    message = OutboxMessage(task=task, queue=queue, kwargs=kwargs)
    db.session.add(message)  # begins the session's transaction, if none
    sent = _written_in_this_transaction(task, queue) % batch == 0
    message.dispatches = int(sent)
    db.session.flush()
    if sent:
        uow.after_commit(partial(dispatch, message.id, task, queue, kwargs))
    return message


def _written_in_this_transaction(task: str, queue: str) -> int:
    """How many rows of ``task`` on ``queue`` this transaction wrote before this one."""
    transaction = db.session().get_transaction()
    counted = g.get("outbox_written")
    if counted is None or counted[0] is not transaction:
        counted = g.outbox_written = (transaction, {})
    written: int = counted[1].get((task, queue), 0)
    counted[1][(task, queue)] = written + 1
    return written


def enqueue_each(task: str, name: str, values: Sequence[int], /, *, queue: str = "default") -> None:
    """``enqueue(task, **{name: value})`` for each of ``values`` (a sweep's mail), written in
    one ``INSERT … SELECT`` over the values passed as one parameter, and sent after the commit
    through one connection to the broker."""
    if not values:
        return
    _check(task, queue, {name: values[0]})
    now = clock.now()
    source = values_table(values)
    rows = db.session.execute(
        insert(OutboxMessage)
        .from_select(
            ["task", "queue", "kwargs", "status", "dispatches", "created_at", "dispatched_at"],
            select(
                literal(task, String()),
                literal(queue, String()),
                json_object_of(**{name: source.c.value}),
                literal(OutboxStatus.PENDING.value, String()),
                literal(1, Integer()),
                literal(now, UTCDateTime()),
                literal(now, UTCDateTime()),
            ).select_from(source),
        )
        .returning(OutboxMessage.id, OutboxMessage.kwargs)
    ).all()
    uow.after_commit(partial(dispatch_all, task, queue, [(row.id, row.kwargs) for row in rows]))


def publish_gate() -> PublishGate:
    """This process's gate: shut for a while after a publish fails."""
    gate: PublishGate = current_app.extensions.setdefault("elearn.publish_gate", PublishGate())
    return gate


def dispatch_all(task: str, queue: str, messages: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """``dispatch`` each message, through one connection to the broker."""
    with _celery().producer_or_acquire() as producer:
        for message_id, kwargs in messages:
            dispatch(message_id, task, queue, kwargs, producer=producer)


def dispatch(
    message_id: int, task: str, queue: str, kwargs: dict[str, Any], producer: Producer | None = None
) -> None:
    """Send one outbox row's task to its queue (or run it here, in eager mode), through
    ``producer``'s connection when given.

    A publish gives up within PUBLISH_BUDGET_SECONDS (elearn/infra/tasks.py); after a failure
    this process publishes nothing for a while, so one request at most pays that budget and
    the rows wait, pending, for the sweeper.
    """
    celery_app = _celery()
    options: dict[str, Any] = {"kwargs": {**kwargs, "outbox_id": message_id}, "queue": queue}
    if celery_app.conf.task_always_eager:
        # send_task ignores eager mode, so run the registered task object instead.
        celery_app.tasks[task].apply_async(**options)
        return
    gate = publish_gate()
    if not gate.is_open():
        log.info("outbox message %s left for the sweeper: the broker failed recently", message_id)
        return
    try:
        # By name: the sending process needs none of the worker's task modules.
        celery_app.send_task(task, producer=producer, **options)
    except Exception:
        gate.close()
        raise


def claim(message_id: int, task: str, *, wait: bool = True) -> bool:
    """Mark the row delivered in the current transaction; False unless it was pending.

    The conditional UPDATE locks the row until the task's transaction ends, so of two
    deliveries running at once the second waits, then finds nothing pending and does nothing.
    With ``wait=False`` the second does not wait (``SKIP LOCKED``): whoever holds the row either
    commits its delivery or rolls back, and then its retry or the sweeper sends the row again.
    """
    mine: tuple[ColumnElement[bool], ...] = (
        OutboxMessage.id == message_id,
        OutboxMessage.task == task,
    )
    if not wait:
        mine = (OutboxMessage.id.in_(_pending_unlocked(*mine)),)
    result = db.session.execute(
        update(OutboxMessage)
        .where(*mine, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.DELIVERED, delivered_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _pending_unlocked(*where: ColumnElement[bool], limit: int | None = None) -> Select[Any]:
    """The ids of pending rows matching ``where`` that no other transaction holds (on SQLite,
    which has one writer at a time, every one)."""
    return (
        select(OutboxMessage.id)
        .where(*where, OutboxMessage.status == OutboxStatus.PENDING)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


class Claimed(NamedTuple):
    """A row claimed by ``claim_next``: its id and its task's arguments."""

    id: int
    kwargs: dict[str, Any]


def claim_next(task: str, limit: int) -> list[Claimed]:
    """Claim (as ``claim`` does) up to ``limit`` pending rows of ``task`` that are due, oldest
    first, skipping those another transaction holds: a task doing the work of several rows in
    one transaction (certificates issued in a batch). Their own deliveries then do nothing."""
    if limit <= 0:
        return []
    due = _pending_unlocked(
        OutboxMessage.task == task, OutboxMessage.dispatched_at <= clock.now(), limit=limit
    )
    rows = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due))
        .values(status=OutboxStatus.DELIVERED, delivered_at=clock.now())
        .returning(OutboxMessage.id, OutboxMessage.kwargs)
        .execution_options(synchronize_session=False)
    ).all()
    return [Claimed(row.id, row.kwargs) for row in rows]


def release(task: str, queue: str, messages: Sequence[Claimed], hold_seconds: int) -> None:
    """Give rows claimed with ``claim_next`` back to their own tasks: pending again, sent again
    after the commit, and left out of other claims and sweeps for ``hold_seconds`` meanwhile
    (the work failed inside someone else's batch; alone, it is retried or recorded as failed
    by its own task)."""
    if not messages:
        return
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([message.id for message in messages]))
        .values(
            status=OutboxStatus.PENDING,
            delivered_at=None,
            dispatched_at=clock.now() + timedelta(seconds=hold_seconds),
            dispatches=OutboxMessage.dispatches + 1,
        )
        .execution_options(synchronize_session=False)
    )
    uow.after_commit(partial(dispatch_all, task, queue, list(messages)))


def postpone(message_id: int, seconds: int) -> None:
    """The row's task retries in ``seconds``: the sweeper leaves it alone until then (and its
    delay after that), so a retry waiting for its time is not sent twice. Never brings the
    sweep nearer."""
    retry_at = clock.now() + timedelta(seconds=seconds)
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.dispatched_at < retry_at,
        )
        .values(dispatched_at=retry_at)
        .execution_options(synchronize_session=False)
    )


def sweep(limit: int = 500) -> SweepResult:
    """Re-send rows pending longer than the configured delay; fail those sent MAX_DISPATCHES
    times and older than ``ELEARN_TASK_RETRY_HORIZON_HOURS``.

    Each re-send of a row doubles the wait before the next one (at most MAX_SWEEP_WAIT), so a
    long queue is not flooded with copies. Nothing is counted while the broker is unreachable,
    so an outage, however long, never makes work fail for good: the rows wait for the broker.
    """
    if not broker_reachable(_celery()):
        log.warning("outbox sweep skipped: the broker is unreachable")
        return SweepResult(0, 0)
    settings = current_settings()
    now = clock.now()
    delay = timedelta(seconds=settings.outbox_sweep_after_seconds)
    horizon = now - timedelta(hours=settings.task_retry_horizon_hours)
    stuck = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.dispatched_at <= now - delay
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    failed = 0
    for message in stuck:
        if message.dispatches >= MAX_DISPATCHES and message.created_at <= horizon:
            message.status = OutboxStatus.FAILED
            failed += 1
            log.error(
                "outbox message %s (%s) failed for good after %s dispatches",
                message.id,
                message.task,
                message.dispatches,
            )
            continue
        # A row never sent (left to a batch) is sent now as a first time would be.
        wait = delay * max(0, 2**message.dispatches - 2)
        message.dispatched_at = now + min(MAX_SWEEP_WAIT, wait)
        message.dispatches += 1
        uow.after_commit(
            partial(dispatch, message.id, message.task, message.queue, dict(message.kwargs))
        )
    return SweepResult(len(stuck) - failed, failed)


@shared_task(name="elearn.outbox.sweep", max_retries=0)
def sweep_outbox() -> SweepResult:
    """Beat-driven: re-drive background work stuck in pending (the next beat is the retry)."""
    return sweep()
