"""The unit of work and the outbox: work is a row of the transaction, sent after the commit."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

import pytest
from kombu.exceptions import OperationalError
from sqlalchemy.exc import IntegrityError

from elearn import clock, uow
from elearn.audit.models import AuditEvent
from elearn.cli import main
from elearn.errors import Invalid
from elearn.extensions import db
from elearn.infra import outbox
from elearn.infra.outbox import MAX_DISPATCHES, MAX_SWEEP_WAIT, OutboxMessage, OutboxStatus
from elearn.uow import unit_of_work
from tests.infra.work import DELIVERED


def deliveries(make, label):
    return make.count(AuditEvent, action=DELIVERED, object_id=label)


def sweep(app):
    result = app.test_cli_runner().invoke(main, ["outbox", "sweep"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


@pytest.fixture
def sent(monkeypatch):
    """Records what is handed to the broker instead of sending it (a broker that never answers)."""
    messages = []
    monkeypatch.setattr(outbox, "dispatch", lambda *message: messages.append(message))
    return messages


@pytest.fixture
def broker_down(monkeypatch):
    """Every send fails until the test calls ``monkeypatch.undo()``."""

    def refuse(*_message):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(outbox, "dispatch", refuse)


def test_work_is_a_pending_row_of_the_transaction_and_runs_only_after_the_commit(app, make):
    with app.app_context(), unit_of_work():
        message = outbox.enqueue("tests.record_delivery", label="service")
        message_id = message.id
        assert message.status == OutboxStatus.PENDING
        assert make.count(OutboxMessage, status="pending") == 1
        assert deliveries(make, "service") == 0

    stored = make.get(OutboxMessage, message_id)
    assert stored.status == OutboxStatus.DELIVERED
    assert stored.delivered_at is not None
    assert deliveries(make, "service") == 1


def test_work_for_each_of_many_values_is_a_row_each_and_runs_after_the_commit(app, make):
    with app.app_context(), unit_of_work():
        outbox.enqueue_each("tests.record_number", "number", [7, 8, 9])
        assert make.count(OutboxMessage, status="pending") == 3
        assert deliveries(make, "7") == 0

    rows = make.all(OutboxMessage)
    assert sorted(row.kwargs["number"] for row in rows) == [7, 8, 9]
    assert {row.status for row in rows} == {OutboxStatus.DELIVERED}
    assert [deliveries(make, label) for label in ("7", "8", "9")] == [1, 1, 1]


def test_work_for_each_value_with_an_argument_the_task_lacks_fails_at_once(app, make):
    with app.app_context(), unit_of_work(), pytest.raises(TypeError):
        outbox.enqueue_each("tests.record_number", "label", [7])

    assert make.count(OutboxMessage) == 0


def test_work_of_a_rolled_back_transaction_is_neither_stored_nor_sent(app, make, sent):
    def refusing_service():
        with unit_of_work():
            outbox.enqueue("tests.record_delivery", label="rolled-back")
            raise Invalid("the service refused")

    with app.app_context(), pytest.raises(Invalid):
        refusing_service()

    assert sent == []
    assert make.count(OutboxMessage) == 0


def test_a_failed_commit_sends_nothing_and_leaves_the_next_unit_of_work_clean(app, make, sent):
    def commit_that_fails():
        with unit_of_work():
            outbox.enqueue("tests.record_delivery", label="lost")
            db.session.add(AuditEvent(action="broken", object_type=None, object_id="x"))

    with app.app_context():
        with pytest.raises(IntegrityError):
            commit_that_fails()
        with unit_of_work():
            kept = outbox.enqueue("tests.record_delivery", label="kept").id

    assert sent == [(kept, "tests.record_delivery", "default", {"label": "kept"})]
    assert make.count(OutboxMessage) == 1


def test_a_successful_request_sends_its_work_once_after_commit(work_client, make, sent):
    response = work_client.post("/test/work", json={"label": "sent", "queue": "mail"})

    assert response.status_code == 202
    message_id = response.json["outbox_id"]
    assert sent == [(message_id, "tests.record_delivery", "mail", {"label": "sent"})]
    assert make.get(OutboxMessage, message_id).status == OutboxStatus.PENDING


def test_a_refused_request_stores_and_sends_nothing(work_client, make, sent):
    response = work_client.post("/test/work", json={"label": "refused", "refuse": True})

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert sent == []
    assert make.count(OutboxMessage) == 0


@pytest.mark.worker
def test_a_request_that_enqueues_work_gets_it_done(work_client, background, make):
    response = work_client.post("/test/work", json={"label": "http", "queue": "certificates"})
    background.settle()

    assert response.status_code == 202
    message = make.get(OutboxMessage, response.json["outbox_id"])
    assert (message.status, message.queue, message.dispatches) == ("delivered", "certificates", 1)
    assert deliveries(make, "http") == 1


@pytest.mark.worker
def test_the_same_message_delivered_twice_does_the_work_once(app, background, make, caplog):
    caplog.set_level(logging.INFO, logger="elearn.infra.tasks")
    with app.app_context(), unit_of_work():
        message = outbox.enqueue("tests.record_delivery", label="twice")
        again = (message.id, "tests.record_delivery", "default", {"label": "twice"})
        uow.after_commit(partial(outbox.dispatch, *again))
    background.settle()
    if not background.real:
        assert f"outbox message {again[0]} already handled" in caplog.text

    assert make.get(OutboxMessage, again[0]).status == OutboxStatus.DELIVERED
    assert deliveries(make, "twice") == 1


def test_a_late_duplicate_of_delivered_work_is_a_no_op(work_client, app, make):
    message_id = work_client.post("/test/work", json={"label": "late"}).json["outbox_id"]

    with app.app_context():
        outbox.dispatch(message_id, "tests.record_delivery", "default", {"label": "late"})

    assert deliveries(make, "late") == 1


def test_a_message_cannot_claim_a_row_of_another_task(work_client, app, make, broker_down):
    message_id = work_client.post("/test/work", json={"label": "mine"}).json["outbox_id"]

    with app.app_context(), unit_of_work():
        claimed = outbox.claim(message_id, "tests.fail")

    assert claimed is False
    assert make.get(OutboxMessage, message_id).status == OutboxStatus.PENDING


def test_the_sweeper_resends_only_work_pending_longer_than_the_delay(
    work_client, app, make, settings, broker_down, monkeypatch
):
    delay = timedelta(seconds=settings.outbox_sweep_after_seconds)
    start = clock.now()
    clock.freeze(start)
    old = work_client.post("/test/work", json={"label": "old"}).json["outbox_id"]
    clock.freeze(start + delay / 2)
    young = work_client.post("/test/work", json={"label": "young"}).json["outbox_id"]
    monkeypatch.undo()  # the broker is back

    clock.freeze(start + delay - timedelta(seconds=1))
    assert sweep(app) == "Re-sent 0 pending task(s); 0 failed for good."
    clock.freeze(start + delay)
    assert sweep(app) == "Re-sent 1 pending task(s); 0 failed for good."

    assert deliveries(make, "old") == 1
    assert deliveries(make, "young") == 0
    resent = make.get(OutboxMessage, old)
    assert (resent.status, resent.dispatches) == ("delivered", 2)
    assert make.get(OutboxMessage, young).status == OutboxStatus.PENDING
    assert sweep(app) == "Re-sent 0 pending task(s); 0 failed for good."
    assert deliveries(make, "old") == 1


def test_work_that_keeps_failing_is_given_up_after_max_dispatches_past_the_horizon(
    work_client, app, make, caplog
):
    settings = app.extensions["elearn.settings"]
    delay = timedelta(seconds=settings.outbox_sweep_after_seconds)
    start = clock.now()
    clock.freeze(start)
    message_id = work_client.post(
        "/test/work", json={"task": "tests.fail", "label": "doomed"}
    ).json["outbox_id"]
    waits = []
    for _ in range(MAX_DISPATCHES):
        clock.freeze(clock.now() + MAX_SWEEP_WAIT + delay)
        assert sweep(app) == "Re-sent 1 pending task(s); 0 failed for good."
        waits.append(make.get(OutboxMessage, message_id).dispatched_at - clock.now())
    assert waits[1] < waits[2] < waits[3]  # each re-send waits longer before the next

    clock.freeze(start + timedelta(hours=settings.task_retry_horizon_hours) + MAX_SWEEP_WAIT)
    assert sweep(app) == "Re-sent 0 pending task(s); 1 failed for good."

    message = make.get(OutboxMessage, message_id)
    assert (message.status, message.dispatches) == ("failed", MAX_DISPATCHES + 1)
    failures = [r for r in caplog.records if r.getMessage().startswith("Task tests.fail[")]
    assert len(failures) == MAX_DISPATCHES + 1  # in eager mode a failed run is not retried inline
    assert f"outbox message {message_id} (tests.fail) failed for good" in caplog.text
    clock.freeze(clock.now() + MAX_SWEEP_WAIT + delay)
    assert sweep(app) == "Re-sent 0 pending task(s); 0 failed for good."


def test_a_failed_task_is_logged_without_the_values_it_handled(work_client, make, caplog):
    secret = "hunter2-do-not-log"

    response = work_client.post(
        "/test/work", json={"task": "tests.fail_in_database", "label": secret}
    )

    assert response.status_code == 202
    assert "Task tests.fail_in_database[" in caplog.text
    assert "IntegrityError" in caplog.text
    assert secret not in caplog.text
    assert make.get(OutboxMessage, response.json["outbox_id"]).status == OutboxStatus.PENDING


@pytest.mark.parametrize(
    ("task", "queue", "arguments", "error"),
    [
        ("tests.nonexistent", "default", {"label": "x"}, ValueError),
        ("tests.record_delivery", "reports", {"label": "x"}, ValueError),
        ("tests.record_delivery", "default", {"name": "x"}, TypeError),
        ("tests.record_delivery", "default", {"label": object()}, TypeError),
    ],
    ids=["unknown task", "unknown queue", "wrong argument", "not an id"],
)
def test_a_mistaken_enqueue_fails_at_once_and_stores_nothing(
    app, make, task, queue, arguments, error
):
    with app.app_context(), pytest.raises(error), unit_of_work():
        outbox.enqueue(task, queue=queue, **arguments)

    assert make.count(OutboxMessage) == 0
