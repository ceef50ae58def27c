"""Test-only background work: tasks, and an endpoint that enqueues them. Never part of elearn.

The real worker imports this module too (``--include``), so everything here must import
without pytest.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from celery import shared_task
from flask import Blueprint, Flask, Response, jsonify, request
from sqlalchemy import insert

from elearn import create_app
from elearn.audit import service as audit
from elearn.audit.models import AuditEvent
from elearn.config import Settings, current_settings
from elearn.errors import Invalid
from elearn.extensions import db
from elearn.infra import outbox

DELIVERED = "tests.delivered"


@shared_task(name="tests.record_delivery")
def record_delivery(label: str) -> None:
    """One audit event per run, so a test can count how often the work really ran."""
    audit.record(None, DELIVERED, "label", label)


@shared_task(name="tests.record_number")
def record_number(number: int) -> None:
    """``record_delivery`` for work enqueued per value (``outbox.enqueue_each``)."""
    audit.record(None, DELIVERED, "label", str(number))


@shared_task(name="tests.fail")
def fail(label: str) -> None:
    raise RuntimeError(f"work {label} cannot be done")


@shared_task(name="tests.fail_once")
def fail_once(label: str) -> None:
    """Fails on its first run (remembered in a file: a rolled-back row would forget), then works."""
    first_run = Path(current_settings().instance_path) / f"failed-once-{label}"
    if not first_run.exists():
        first_run.touch()
        raise RuntimeError(f"work {label} fails this time")
    audit.record(None, DELIVERED, "label", label)


@shared_task(name="tests.fail_in_database")
def fail_in_database(label: str) -> None:
    """Violates NOT NULL with ``label`` among the statement's parameters."""
    db.session.execute(insert(AuditEvent).values(action=label, object_type=None, object_id="x"))


work_blp = Blueprint("test_work", __name__)


@work_blp.post("/test/work")
def enqueue_work() -> tuple[Response, int]:
    """Enqueue ``task`` for ``label``; with ``refuse`` the request then fails with a 422."""
    body = request.get_json()
    message = outbox.enqueue(
        body.get("task", "tests.record_delivery"),
        queue=body.get("queue", "default"),
        label=body["label"],
    )
    if body.get("refuse"):
        raise Invalid("refused after enqueueing", errors={"label": ["refused"]})
    return jsonify(outbox_id=message.id), 202


@cache
def work_app(settings: Settings) -> Flask:
    """An app like the one under test, plus the test-only endpoint; one per settings."""
    app = create_app(settings)
    app.config["TESTING"] = True
    app.register_blueprint(work_blp)
    return app
