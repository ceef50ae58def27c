"""Drill: the broker is down while a request causes background work; nothing is lost."""

from __future__ import annotations

from datetime import timedelta

import pytest

from elearn import clock
from elearn.audit.models import AuditEvent
from elearn.cli import main
from elearn.infra.outbox import OutboxMessage, OutboxStatus
from tests.infra.work import DELIVERED


def sweep(app):
    result = app.test_cli_runner().invoke(main, ["outbox", "sweep"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


@pytest.mark.worker
def test_work_requested_while_the_broker_is_down_is_delivered_once_by_the_sweeper(
    down_app, app, background, make, settings
):
    response = down_app.test_client().post("/test/work", json={"label": "drill"})

    assert response.status_code == 202
    message_id = response.json["outbox_id"]
    message = make.get(OutboxMessage, message_id)
    assert (message.status, message.dispatches) == (OutboxStatus.PENDING, 1)

    due = message.dispatched_at + timedelta(seconds=settings.outbox_sweep_after_seconds)
    clock.freeze(due)
    assert sweep(down_app) == "Re-sent 0 pending task(s); 0 failed for good."
    assert make.get(OutboxMessage, message_id).dispatches == 1  # an outage uses up no attempt

    assert sweep(app) == "Re-sent 1 pending task(s); 0 failed for good."  # the broker is back
    background.settle()

    delivered = make.get(OutboxMessage, message_id)
    assert (delivered.status, delivered.dispatches) == (OutboxStatus.DELIVERED, 2)
    assert make.count(AuditEvent, action=DELIVERED, object_id="drill") == 1

    clock.freeze(due + timedelta(seconds=settings.outbox_sweep_after_seconds))
    assert sweep(app) == "Re-sent 0 pending task(s); 0 failed for good."
    background.settle()
    assert make.count(AuditEvent, action=DELIVERED, object_id="drill") == 1
