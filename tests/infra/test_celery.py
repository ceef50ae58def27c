"""How Celery is wired: task defaults, retries, discovery of domain tasks, the beat schedule."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

import elearn
from elearn import clock
from elearn.audit.models import AuditEvent
from elearn.cli import main
from elearn.infra.outbox import QUEUES, OutboxMessage, OutboxStatus
from elearn.infra.tasks import (
    PUBLISH_BUDGET_SECONDS,
    SOFT_TIME_LIMIT_SECONDS,
    TIME_LIMIT_SECONDS,
    AckOutlivingItsConnection,
    task_packages,
)
from tests import mailserver
from tests.infra.work import DELIVERED, work_app

ELEARN = Path(elearn.__file__).parent


def test_tasks_are_acknowledged_late_time_limited_and_retried_with_backoff(down_app, app):
    celery = down_app.extensions["celery"]
    task = celery.tasks["tests.record_delivery"]

    assert task.acks_late
    assert task.reject_on_worker_lost
    assert (celery.conf.task_time_limit, celery.conf.task_soft_time_limit) == (
        TIME_LIMIT_SECONDS,
        SOFT_TIME_LIMIT_SECONDS,
    )
    assert task.max_retries == 5
    assert app.extensions["celery"].tasks["tests.record_delivery"].max_retries == 0  # eager


def test_a_broker_that_never_answers_costs_one_request_one_bounded_publish(settings):
    hung = mailserver.silent_listener()
    app = work_app(replace(settings, broker_url=f"redis://127.0.0.1:{hung.getsockname()[1]}/0"))
    client = app.test_client()
    try:
        timings = []
        for label in ("first", "second", "third"):
            started = time.monotonic()
            response = client.post("/test/work", json={"label": label})
            timings.append(time.monotonic() - started)
            assert response.status_code == 202
    finally:
        hung.close()
    print(f"\nrequests with a hung broker took {', '.join(f'{t:.2f}' for t in timings)} s")

    assert 1 < timings[0] < PUBLISH_BUDGET_SECONDS + 0.5  # one read timeout, no retry
    assert max(timings[1:]) < 0.5  # the gate is shut: the rows wait for the sweeper
    assert not app.extensions["celery"].conf.task_publish_retry


def test_backoff_grows_exponentially_with_full_jitter_up_to_a_ceiling(down_app):
    task = down_app.extensions["celery"].tasks["tests.record_delivery"]

    ceilings = {}
    for retries in range(10):
        task.push_request(retries=retries)
        try:
            ceilings[retries] = [task.backoff() for _ in range(200)]
        finally:
            task.pop_request()

    for retries, delays in ceilings.items():
        assert all(0 <= delay <= min(300, 2 * 2**retries) for delay in delays)
    assert len(set(ceilings[4])) > 1
    assert max(ceilings[9]) > 64


@pytest.mark.worker
def test_a_task_that_fails_once_is_retried(work_client, app, background, make, settings):
    response = work_client.post("/test/work", json={"task": "tests.fail_once", "label": "flaky"})
    background.settle()
    if not background.real:  # eager: no retry inside the request; the sweeper re-drives it
        clock.freeze(clock.now() + timedelta(seconds=settings.outbox_sweep_after_seconds))
        app.test_cli_runner().invoke(main, ["outbox", "sweep"])

    message = make.get(OutboxMessage, response.json["outbox_id"])
    assert message.status == OutboxStatus.DELIVERED
    assert message.dispatches == (1 if background.real else 2)
    assert make.count(AuditEvent, action=DELIVERED, object_id="flaky") == 1


def test_every_domain_tasks_module_is_registered_by_the_app_factory(app):
    celery = app.extensions["celery"]
    modules = [f"elearn.{path.parent.name}.tasks" for path in ELEARN.glob("*/tasks.py")]

    assert {f"elearn.{path.parent.name}" for path in ELEARN.glob("*/__init__.py")} == set(
        task_packages()
    )
    assert modules
    assert all(module in sys.modules for module in modules)
    assert "elearn.outbox.sweep" in celery.tasks


def test_beat_sweeps_the_outbox_every_minute_on_a_consumed_queue(app, settings):
    celery = app.extensions["celery"]
    schedule = celery.conf.beat_schedule

    assert schedule["outbox-sweep"]["task"] == "elearn.outbox.sweep"
    for entry in schedule.values():
        assert entry["task"] in celery.tasks
        assert entry["options"]["queue"] in QUEUES
        assert 0 < entry["options"]["expires"] <= entry["schedule"]
    assert Path(celery.conf.beat_schedule_filename).parent == Path(settings.instance_path)


def test_an_acknowledgement_after_the_broker_connection_is_gone_is_given_up(caplog):
    """Regression: kombu's Redis channel raised AttributeError from a late acknowledgement
    once Redis had restarted, and the worker's consumer never recovered (the Redis drill)."""

    def acknowledge_on_a_closed_channel(*_args: object) -> None:
        raise AttributeError("'NoneType' object has no attribute 'hostname'")

    message = SimpleNamespace(
        headers={"id": "task-1", "task": "elearn.drill"},
        body=([], {}, {}),
        payload=([], {}, {}),
        content_type="application/json",
        content_encoding="utf-8",
        delivery_info={},
        properties={},
    )
    request = AckOutlivingItsConnection(
        message,
        on_ack=acknowledge_on_a_closed_channel,
        task=SimpleNamespace(ignore_result=True),
        hostname="w",
    )

    request.acknowledge()

    assert request.acknowledged
    assert "the broker connection was lost before its acknowledgement" in caplog.text
