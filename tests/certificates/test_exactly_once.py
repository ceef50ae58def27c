"""Exactly one certificate and one stored PDF per enrolment, whatever the deliveries do.

The rendering task is delivered twice and run at the same moment (threads of this process, or
the real worker's two pool processes), and a worker is killed in the middle of a render so that
the broker delivers the task again. Each case arranges a pending certificate whose message was
not sent (as when the broker is down at commit time), then sends the deliveries itself.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask

from elearn.certificates.models import Certificate, CertificateStatus
from elearn.certificates.service import issuing
from elearn.extensions import db
from elearn.infra.outbox import OutboxMessage, OutboxStatus
from elearn.notifications.models import Notification
from tests.certificates.conftest import stored_keys
from tests.certificates.workers import WAIT_SECONDS, dedicated_worker, wait_until

KILL_QUEUE = "certificates-kill-test"
# Written by tests/certificates/blocking.py, which only the dedicated worker may import: importing
# it patches signing in the importing process.
STARTED = "render-started"


def _require_postgresql(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrent deliveries are tested on PostgreSQL (SQLite has no row locks)")


def pending_certificate(graduation, monkeypatch) -> tuple[Certificate, int]:
    """Complete a course with the render message held back; the certificate and its row id."""
    [held] = graduation.held_back(monkeypatch)
    return held.certificate, held.message_id


def deliveries(certificate: Certificate, message_id: int) -> list[dict[str, int]]:
    """The same outbox message twice, and the same work once more without its outbox row."""
    same = {"certificate_id": certificate.id, "outbox_id": message_id}
    return [same, same, {"certificate_id": certificate.id}]


def assert_exactly_one(graduation, certificate: Certificate, message_id: int) -> Certificate:
    [issued] = graduation.certificates(certificate.enrolment_id)
    assert issued.status == CertificateStatus.ISSUED
    assert issued.verification_code == certificate.verification_code
    assert graduation.make.count(Certificate) == 1
    assert graduation.make.count(Notification, kind="certificate_issued") == 1
    assert graduation.make.get(OutboxMessage, message_id).status == OutboxStatus.DELIVERED
    return issued


@pytest.mark.committed
def test_two_threads_running_the_same_delivery_at_once_issue_one_certificate(
    app, graduation, media, monkeypatch
):
    _require_postgresql(app)
    before = stored_keys(media)
    certificate, message_id = pending_certificate(graduation, monkeypatch)
    task = app.extensions["celery"].tasks[issuing.RENDER_TASK]
    render = issuing.render_certificate

    def slow_render(*args: Any) -> bytes:
        time.sleep(0.3)  # long enough for every delivery to be under way meanwhile
        return render(*args)

    monkeypatch.setattr(issuing, "render_certificate", slow_render)
    work = deliveries(certificate, message_id)
    barrier = threading.Barrier(len(work))

    def deliver(kwargs: dict[str, int]) -> None:
        barrier.wait(timeout=10)
        task.apply(kwargs=kwargs)

    threads = [threading.Thread(target=deliver, args=(kwargs,)) for kwargs in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS)

    issued = assert_exactly_one(graduation, certificate, message_id)
    assert stored_keys(media) - before == {issued.pdf_key}


@pytest.mark.worker
def test_the_worker_running_the_same_delivery_twice_at_once_issues_one_certificate(
    app, background, graduation, media, monkeypatch
):
    if not background.real:
        pytest.skip("needs the real worker (ELEARN_TEST_BROKER_URL)")
    _require_postgresql(app)
    before = stored_keys(media)
    certificate, message_id = pending_certificate(graduation, monkeypatch)
    worker = background.worker
    assert worker is not None

    for kwargs in deliveries(certificate, message_id):
        worker.client.send_task(issuing.RENDER_TASK, kwargs=kwargs, queue="certificates")
    wait_until(
        lambda: graduation.certificate_of(certificate.enrolment_id).status == "issued",
        "issuing",
        worker.log_tail,
    )
    worker.wait_idle()

    issued = assert_exactly_one(graduation, certificate, message_id)
    assert stored_keys(media) - before == {issued.pdf_key}


@pytest.mark.worker
def test_a_worker_killed_mid_render_leaves_one_certificate_and_one_pdf_after_redelivery(
    app, background, graduation, monkeypatch, seaweedfs, tmp_path
):
    if not background.real:
        pytest.skip("needs the real worker (ELEARN_TEST_BROKER_URL)")
    _require_postgresql(app)
    prefix = f"kill-{uuid.uuid4().hex[:8]}"
    settings = replace(
        background.settings,
        instance_path=str(tmp_path),
        storage_url=f"s3://{seaweedfs.bucket}/{prefix}",
        s3_endpoint_url=seaweedfs.endpoint_url,
        s3_access_key_id=seaweedfs.access_key_id,
        s3_secret_access_key=seaweedfs.secret_access_key,
    )
    bucket = seaweedfs.client()

    def listing() -> dict[str, int]:
        found = bucket.list_objects_v2(Bucket=seaweedfs.bucket, Prefix=f"{prefix}/certificates/")
        return {item["Key"]: item["Size"] for item in found.get("Contents", [])}

    certificate, message_id = pending_certificate(graduation, monkeypatch)
    started = tmp_path / STARTED
    log_path = tmp_path / "worker.log"
    with dedicated_worker(
        app,
        settings,
        log_path,
        queues=[KILL_QUEUE],
        concurrency=1,
        include=["tests.certificates.blocking"],
    ) as worker:
        worker.client.send_task(
            issuing.RENDER_TASK,
            kwargs={"certificate_id": certificate.id, "outbox_id": message_id},
            queue=KILL_QUEUE,
        )
        log = lambda: log_path.read_text(errors="replace")  # noqa: E731
        wait_until(started.exists, "the first render", log)
        assert list(listing()) == [f"{prefix}/{certificate.pdf_key}"]  # stored, not committed
        assert graduation.certificate_of(certificate.enrolment_id).status == "pending"

        os.kill(int(started.read_text()), signal.SIGKILL)
        wait_until(
            lambda: graduation.certificate_of(certificate.enrolment_id).status == "issued",
            "issuing after the redelivery",
            log,
        )

    assert "WorkerLostError" in log_path.read_text(errors="replace")
    issued = assert_exactly_one(graduation, certificate, message_id)
    assert listing() == {f"{prefix}/{issued.pdf_key}": issued.pdf_size}
    head = bucket.head_object(Bucket=seaweedfs.bucket, Key=f"{prefix}/{issued.pdf_key}")
    assert head["ContentType"] == "application/pdf"
    assert head["Metadata"]["sha256"] == issued.pdf_sha256
