"""Issuing in batches: one delivery issues the certificates whose rendering is due with its own.

Each case holds back the render messages of a few completions (as when the broker is down at
commit time), then delivers one or more of them itself: the first delivery claims the others'
outbox rows and issues them in its transaction; their own deliveries then do nothing.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from elearn import clock
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.certificates.service import issuing
from elearn.extensions import db
from elearn.infra import outbox
from elearn.infra.outbox import OutboxMessage, OutboxStatus
from elearn.notifications.models import Notification
from elearn.uow import unit_of_work
from tests.certificates.conftest import HeldBack, stored_keys
from tests.certificates.workers import WAIT_SECONDS


def deliver(app, held: HeldBack) -> None:
    task = app.extensions["celery"].tasks[issuing.RENDER_TASK]
    task.apply(kwargs={"certificate_id": held.certificate.id, "outbox_id": held.message_id})


def issued_mail(make) -> int:
    return make.count(Notification, kind=issuing.ISSUED_MAIL)


def test_one_delivery_issues_every_due_certificate_and_their_own_deliveries_do_nothing(
    app, graduation, make, media
):
    batch = graduation.held_back(pytest.MonkeyPatch(), 3)
    before = stored_keys(media)

    deliver(app, batch[0])

    issued = [graduation.by_public_id(held.certificate.public_id) for held in batch]
    assert {certificate.status for certificate in issued} == {CertificateStatus.ISSUED}
    assert stored_keys(media) - before == {certificate.pdf_key for certificate in issued}
    assert issued_mail(make) == 3
    assert make.count(OutboxMessage, task=issuing.RENDER_TASK, status="delivered") == 3

    for held in reversed(batch):  # the same batch delivered again, in any order
        deliver(app, held)

    again = [graduation.by_public_id(held.certificate.public_id) for held in batch]
    assert [(c.pdf_sha256, c.credential, c.issued_at) for c in again] == [
        (c.pdf_sha256, c.credential, c.issued_at) for c in issued
    ]
    assert issued_mail(make) == 3
    assert make.count(OutboxMessage, task=issuing.RENDER_TASK) == 3


def _count_statements(app, graduation, queries, size: int) -> int:
    """The statements of a first attempt's transaction that issues ``size`` certificates."""
    batch = graduation.held_back(pytest.MonkeyPatch(), size)
    first = batch[0]
    with pytest.MonkeyPatch.context() as mail_held_back:
        mail_held_back.setattr(outbox, "dispatch_all", lambda *_args: None)
        queries.reset()
        with app.app_context(), unit_of_work():
            assert outbox.claim(first.message_id, issuing.RENDER_TASK, wait=False)
            issuing.render(first.certificate.id, last_attempt=False)
        count = queries.count
    statuses = {graduation.by_public_id(held.certificate.public_id).status for held in batch}
    assert statuses == {CertificateStatus.ISSUED}
    return count


def test_a_batch_costs_the_same_statements_whatever_its_size(app, graduation, queries):
    graduation.graduate()  # the signing key exists
    # its own outbox row claimed; the certificate held with holder and course; the course's
    # texts; the signing key; the other renderings due claimed (none); the certificate
    # written; its mail; the mail's outbox row
    assert _count_statements(app, graduation, queries, 1) == 8, queries.statements
    # and for the others: their certificates held, with their courses' texts
    assert _count_statements(app, graduation, queries, 4) == 10, queries.statements
    assert _count_statements(app, graduation, queries, issuing.RENDER_BATCH) == 10


def test_a_batch_takes_at_most_its_size_the_rest_waits_for_its_own_delivery(
    app, graduation, monkeypatch
):
    monkeypatch.setattr(issuing, "RENDER_BATCH", 2)
    batch = graduation.held_back(monkeypatch, 3)

    deliver(app, batch[1])

    statuses = [graduation.by_public_id(held.certificate.public_id).status for held in batch]
    assert statuses == ["issued", "issued", "pending"]  # its own, then the oldest due
    deliver(app, batch[2])
    assert graduation.by_public_id(batch[2].certificate.public_id).status == "issued"


def _failing_for(monkeypatch, holder_name: str) -> None:
    render = issuing.render_certificate

    def refuse_one(content: Any, *args: Any) -> bytes:
        if content.trainee_name == holder_name:
            raise RuntimeError("this one cannot be drawn")
        return render(content, *args)

    monkeypatch.setattr(issuing, "render_certificate", refuse_one)


def test_one_bad_certificate_goes_back_to_its_own_task_and_the_others_are_issued(
    app, graduation, make, monkeypatch
):
    batch = graduation.held_back(monkeypatch, 3)
    bad = batch[1].certificate
    _failing_for(monkeypatch, bad.holder_name)

    deliver(app, batch[0])  # eager: the bad one is sent again at once, and fails alone

    statuses = [graduation.by_public_id(held.certificate.public_id) for held in batch]
    assert [certificate.status for certificate in statuses] == ["issued", "failed", "issued"]
    assert statuses[1].failure_reason == "Unexpected error (RuntimeError)."
    assert make.count(Notification, kind=issuing.ISSUED_MAIL) == 2
    released = make.get(OutboxMessage, batch[1].message_id)
    assert (released.status, released.dispatches) == (OutboxStatus.DELIVERED, 2)


def test_the_bad_certificate_of_the_delivery_itself_is_retried_before_the_others_are_touched(
    app, graduation, make, monkeypatch
):
    batch = graduation.held_back(monkeypatch, 3)
    _failing_for(monkeypatch, batch[0].certificate.holder_name)

    with app.app_context(), pytest.raises(RuntimeError), unit_of_work():
        issuing.render(batch[0].certificate.id, last_attempt=False)

    statuses = [graduation.by_public_id(held.certificate.public_id).status for held in batch]
    assert statuses == ["pending"] * 3
    assert make.count(OutboxMessage, task=issuing.RENDER_TASK, status="pending") == 3


def test_a_rendering_waiting_for_its_retry_is_not_taken_by_a_batch(app, graduation):
    batch = graduation.held_back(pytest.MonkeyPatch(), 2)
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == batch[1].message_id)
            .values(dispatched_at=clock.now() + timedelta(seconds=30))
        )
        db.session.commit()

    deliver(app, batch[0])

    statuses = [graduation.by_public_id(held.certificate.public_id).status for held in batch]
    assert statuses == ["issued", "pending"]


@pytest.mark.committed
def test_deliveries_of_one_batch_running_at_once_issue_each_certificate_once(
    app, graduation, make, media, monkeypatch
):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrent deliveries are tested on PostgreSQL (SQLite has no row locks)")
    before = stored_keys(media)
    batch = graduation.held_back(monkeypatch, 6)
    render = issuing.render_certificate

    def slow_render(*args: Any) -> bytes:
        time.sleep(0.1)  # long enough for the deliveries to overlap
        return render(*args)

    monkeypatch.setattr(issuing, "render_certificate", slow_render)
    barrier = threading.Barrier(len(batch))

    def deliver_at_once(held: HeldBack) -> None:
        barrier.wait(timeout=10)
        deliver(app, held)

    threads = [threading.Thread(target=deliver_at_once, args=(held,)) for held in batch]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS)

    with app.app_context():
        issued = db.session.scalars(
            select(Certificate).where(Certificate.status == CertificateStatus.ISSUED)
        ).all()
        assert len(issued) == 6
        assert stored_keys(media) - before == {certificate.pdf_key for certificate in issued}
    assert make.count(Notification, kind=issuing.ISSUED_MAIL) == 6
    assert make.count(OutboxMessage, task=issuing.RENDER_TASK, status="delivered") == 6
