"""Renderings queued together are sent one message per batch; the batches issue the rest.

An admin's bulk retry queues many renderings in one transaction (as bulk completions do):
only the first of each ``RENDER_BATCH`` outbox rows is sent, the others stay pending and
unsent (``dispatches`` 0) for those deliveries' batches, and the sweeper sends any that no
batch took, after its usual delay.
"""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elearn import clock
from elearn.accounts.models import Role
from elearn.certificates.models import CertificateStatus
from elearn.certificates.service import issuing
from elearn.cli import main
from elearn.extensions import db
from elearn.infra import outbox
from elearn.infra.outbox import OutboxMessage

RETRY_FAILED = "/api/v1/certificates/retry-failed"
BATCH = 3


@pytest.fixture
def sent_renderings(monkeypatch) -> list[int]:
    """The outbox ids of the render messages handed to the broker (then delivered, eagerly)."""
    sent: list[int] = []
    dispatch = outbox.dispatch

    def recorded(message_id: int, task: str, *args, **kwargs) -> None:
        if task == issuing.RENDER_TASK:
            sent.append(message_id)
        dispatch(message_id, task, *args, **kwargs)

    monkeypatch.setattr(outbox, "dispatch", recorded)
    monkeypatch.setattr(issuing, "RENDER_BATCH", BATCH)
    return sent


def _retry_all(client, make) -> None:
    admin = make.user(Role.ADMIN, administration=None)
    since = {"since": "2025-01-01T00:00:00+00:00"}
    response = client.post(RETRY_FAILED, json=since, headers=admin.headers)
    assert response.status_code == 202, response.json


def _newest_renderings(app, count: int) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.task == issuing.RENDER_TASK)
            .order_by(OutboxMessage.id.desc())
            .limit(count)
        ).all()
        db.session.expunge_all()
        return sorted(rows, key=lambda row: row.id)


@pytest.mark.parametrize("count", [1, BATCH, 2 * BATCH + 1])
def test_renderings_queued_together_send_one_message_per_batch_and_are_all_issued(
    app, client, graduation, make, sent_renderings, count
):
    failed = [graduation.failed() for _ in range(count)]
    sent_renderings.clear()

    _retry_all(client, make)

    assert len(sent_renderings) == math.ceil(count / BATCH)
    statuses = {graduation.by_public_id(public_id).status for public_id in failed}
    assert statuses == {CertificateStatus.ISSUED}
    rows = _newest_renderings(app, count)
    assert {row.status for row in rows} == {"delivered"}
    # the first of each batch was sent once; the others never were
    assert [row.dispatches for row in rows] == [int(n % BATCH == 0) for n in range(count)]
    assert [row.id for row in rows if row.dispatches] == sent_renderings


def test_a_rendering_no_batch_took_is_sent_by_the_sweeper_after_its_delay(
    app, client, graduation, make, settings, sent_renderings, monkeypatch
):
    failed = [graduation.failed() for _ in range(BATCH + 1)]
    start = clock.now()
    clock.freeze(start)
    deliver = outbox.dispatch
    lost: list[int] = []

    def first_lost(message_id: int, *args, **kwargs) -> None:
        if lost:
            deliver(message_id, *args, **kwargs)
        else:  # sent, then its worker died before claiming anything
            lost.append(message_id)

    monkeypatch.setattr(outbox, "dispatch", first_lost)

    _retry_all(client, make)

    # the second batch's delivery issued its own and the two oldest due: one row is left
    statuses = [graduation.by_public_id(public_id).status for public_id in failed]
    assert statuses == ["issued", "issued", "pending", "issued"]
    left = _newest_renderings(app, BATCH + 1)[2]
    assert (left.status, left.dispatches) == ("pending", 0)

    delay = timedelta(seconds=settings.outbox_sweep_after_seconds)
    clock.freeze(start + delay - timedelta(seconds=1))
    assert _sweep(app) == "Re-sent 0 pending task(s); 0 failed for good."
    clock.freeze(start + delay)
    assert _sweep(app) == "Re-sent 1 pending task(s); 0 failed for good."

    assert graduation.by_public_id(failed[2]).status == CertificateStatus.ISSUED
    resent = make.get(OutboxMessage, left.id)
    assert (resent.status, resent.dispatches) == ("delivered", 1)
    assert sent_renderings[-1] == left.id
    # once sent, it waits the usual delay before being sent again, as a first send does
    assert resent.dispatched_at == start + delay
    with app.app_context():
        pending = select(func.count()).where(OutboxMessage.status == "pending")
        assert db.session.scalar(pending) == 0


def _sweep(app) -> str:
    result = app.test_cli_runner().invoke(main, ["outbox", "sweep"])
    assert result.exit_code == 0, result.output
    return result.output.strip()
