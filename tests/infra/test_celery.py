"""How Celery is wired: task defaults, retries, discovery of domain tasks, the beat schedule."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest

import elearn
from elearn import clock
from elearn.audit.models import AuditEvent
from elearn.cli import main
from elearn.infra.outbox import QUEUES, OutboxMessage, OutboxStatus
from elearn.infra.tasks import SOFT_TIME_LIMIT_SECONDS, TIME_LIMIT_SECONDS, task_packages
from tests.infra.work import DELIVERED

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


def test_a_silent_broker_costs_a_request_a_bounded_publish(down_app):
    conf = down_app.extensions["celery"].conf
    policy = conf.task_publish_retry_policy
    attempts = policy["max_retries"] + 1
    waits = sum(
        min(policy["interval_start"] + step * policy["interval_step"], policy["interval_max"])
        for step in range(policy["max_retries"])
    )
    connect = conf.broker_transport_options["socket_connect_timeout"]

    assert conf.broker_connection_timeout == connect
    assert attempts * connect + waits < 3
    assert 1 < conf.broker_transport_options["socket_timeout"] < 3  # kombu's BRPOP waits 1 s


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
