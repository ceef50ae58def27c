"""Issuing: completing a course issues one certificate, rendered, stored, signed and mailed."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date, timedelta

import pytest
import requests
from pypdf import PdfReader
from sqlalchemy import select

from elearn import clock
from elearn.accounts.models import Role
from elearn.audit.models import AuditEvent
from elearn.certificates.credentials.credential import Verdict, verify_credential
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.certificates.service import issuing
from elearn.certificates.service.issuing import ISSUED_MAIL
from elearn.cli import main
from elearn.extensions import db
from elearn.infra.outbox import OutboxMessage, OutboxStatus
from elearn.infra.storage import S3Storage, StorageAuthError, StorageUnavailable
from elearn.notifications.models import Notification
from elearn.uow import unit_of_work
from tests.certificates.conftest import stored_keys
from tests.mailserver import body


def download(client, path: str, person):
    """Follow the API's redirect to the presigned URL (served by the app in local mode)."""
    redirect = client.get(path, headers=person.headers)
    assert redirect.status_code == 302, redirect.get_json()
    return redirect, client.get(redirect.headers["Location"])


def test_completing_a_course_issues_one_certificate_stating_the_snapshot(
    client, graduation, frozen
):
    trainee = graduation.trainee(language="fr", full_name="Éloïse Lefèvre-Dubœuf")
    course = graduation.course(estimated_minutes=95)

    graduate = graduation.graduate(trainee, course)

    [certificate] = graduation.certificates(graduate.enrolment_id)
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.language == "fr"
    assert certificate.holder_name == "Éloïse Lefèvre-Dubœuf"
    assert certificate.administration_name == "Douane AZ"
    assert certificate.course_title.startswith("Évaluation ")
    assert certificate.completed_on == date(2030, 3, 1)
    assert certificate.duration_minutes == 95
    assert certificate.issued_at == frozen
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", certificate.verification_code)
    assert len(certificate.public_id) == 22

    listed = client.get("/api/v1/me/certificates", headers=trainee.headers)
    assert listed.status_code == 200
    [shown] = listed.json
    assert shown["public_id"] == certificate.public_id
    assert shown["verification_url"] == f"http://elearn.test/verify/{certificate.verification_code}"
    assert shown["course_id"] == course.id
    assert shown["status"] == "issued"
    assert listed.headers["X-Total-Count"] == "1"


def test_a_course_without_text_in_the_trainees_language_gives_its_default_title(graduation):
    trainee = graduation.trainee(language="ru", full_name="Рашад Алиев")

    certificate = graduation.certificate_of(graduation.graduate(trainee).enrolment_id)

    assert certificate.course_title.startswith("Valuation ")
    assert certificate.administration_name == "Таможня AZ"
    assert certificate.language == "ru"


def test_regional_staff_without_administration_get_a_certificate_without_one(graduation):
    trainee = graduation.trainee(administration=None)

    certificate = graduation.certificate_of(graduation.graduate(trainee).enrolment_id)

    assert certificate.administration_name is None
    assert certificate.status == CertificateStatus.ISSUED


def test_the_pdf_is_stored_once_with_its_size_and_sha256_and_downloads_named(
    client, graduation, media
):
    trainee = graduation.trainee(language="ru", full_name="Константин Иванов")
    before = stored_keys(media)

    graduate = graduation.graduate(trainee)

    certificate = graduation.certificate_of(graduate.enrolment_id)
    assert stored_keys(media) - before == {certificate.pdf_key}
    redirect, pdf = download(client, f"/api/v1/certificates/{graduate.public_id}/pdf", trainee)
    assert redirect.headers["Cache-Control"] == "no-store"
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == certificate.pdf_sha256
    assert len(pdf.data) == certificate.pdf_size
    assert "filename*=UTF-8''%D0%9A%D0%BE%D0%BD" in pdf.headers["Content-Disposition"]
    assert f"{certificate.verification_code}.pdf" in pdf.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Константин Иванов" in text
    assert certificate.verification_code in text


def test_the_signed_credential_verifies_and_names_the_holder_never_their_email(
    app, client, graduation
):
    graduate = graduation.graduate()

    response = client.get(
        f"/api/v1/certificates/{graduate.public_id}/credential", headers=graduate.person.headers
    )

    token = response.json["credential"]
    with app.app_context():
        verification = verify_credential(token)
    assert verification.verdict is Verdict.VALID
    credential = verification.credential
    assert credential["id"] == f"http://elearn.test/verify/{graduate.code}"
    subject = credential["credentialSubject"]
    assert (
        subject["identifier"][0]["identityHash"]
        == graduation.certificate_of(graduate.enrolment_id).holder_name
    )
    assert subject["achievement"]["id"] == (
        f"http://elearn.test/credentials/achievements/{graduate.course.id}"
    )
    assert "passed its quizzes" in subject["achievement"]["criteria"]["narrative"]
    assert graduate.person.email not in token
    assert graduate.person.email not in repr(credential)


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("en", "Your certificate: ", "Hello"),
        ("ru", "Ваш сертификат: ", "Здравствуйте"),
        ("fr", "Votre certificat : ", "Bonjour"),
    ],
)
def test_the_holder_is_mailed_the_verification_link_in_their_language(
    graduation, mailbox, language, subject, greeting
):
    trainee = graduation.trainee(language=language)

    graduate = graduation.graduate(trainee)

    # The enrolled mail went too (or waits for the morning): take the certificate's.
    [message] = [m for m in mailbox.messages if m["Subject"].startswith(subject)]
    link = f"http://elearn.test/verify/{graduate.code}"
    for part in ("plain", "html"):
        assert link in body(message, part)
        assert greeting in body(message, part)
    certificate = graduation.certificate_of(graduate.enrolment_id)
    [notification] = _notifications(graduation)
    assert notification.kind == "certificate_issued"
    assert notification.dedupe_key == f"certificate-issued:{certificate.id}"
    assert notification.context == {
        "certificate": certificate.public_id,
        "verification_code": certificate.verification_code,
        "course_title": certificate.course_title,
    }


def _notifications(graduation) -> list[Notification]:
    with graduation.app.app_context():
        rows = list(
            db.session.scalars(select(Notification).where(Notification.kind == ISSUED_MAIL))
        )
        db.session.expunge_all()
        return rows


def test_issuing_again_for_the_same_enrolment_changes_nothing(app, graduation, make):
    graduate = graduation.graduate()
    counts = (make.count(Certificate), make.count(OutboxMessage), make.count(Notification))

    with app.app_context(), unit_of_work():
        again = issuing.issue_for_enrolment(graduate.enrolment_id)
        assert again.public_id == graduate.public_id

    assert (make.count(Certificate), make.count(OutboxMessage), make.count(Notification)) == counts


def test_the_render_task_delivered_again_does_nothing_more(app, graduation, make, media):
    graduate = graduation.graduate()
    certificate = graduation.certificate_of(graduate.enrolment_id)
    before = (stored_keys(media), make.count(Notification), make.count(AuditEvent))
    with app.app_context():
        [message] = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.task == issuing.RENDER_TASK)
        ).all()
        message_id = message.id
    task = app.extensions["celery"].tasks[issuing.RENDER_TASK]

    task.apply(kwargs={"certificate_id": certificate.id, "outbox_id": message_id})
    task.apply(kwargs={"certificate_id": certificate.id})

    after = graduation.certificate_of(graduate.enrolment_id)
    assert (after.pdf_sha256, after.issued_at, after.credential) == (
        certificate.pdf_sha256,
        certificate.issued_at,
        certificate.credential,
    )
    assert (stored_keys(media), make.count(Notification), make.count(AuditEvent)) == before
    assert make.get(OutboxMessage, message_id).status == OutboxStatus.DELIVERED


def _store_down(monkeypatch, app, error: Exception) -> None:
    def refuse(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(app.extensions["elearn.storage"], "put", refuse)


def test_a_failure_before_the_last_attempt_is_raised_for_a_retry_and_changes_nothing(
    app, graduation, monkeypatch
):
    graduate = graduation.graduate()
    certificate = graduation.certificate_of(graduate.enrolment_id)
    graduation.change(graduate.public_id, status=CertificateStatus.PENDING)
    _store_down(monkeypatch, app, StorageUnavailable("cannot reach the store"))

    with app.app_context(), pytest.raises(StorageUnavailable), unit_of_work():
        issuing.render(certificate.id, last_attempt=False)

    assert graduation.certificate_of(graduate.enrolment_id).status == CertificateStatus.PENDING


def test_a_failed_render_is_marked_failed_with_a_reason_then_an_admin_retries_it(
    app, client, graduation, make, monkeypatch, media
):
    admin = make.user(Role.ADMIN, administration=None)
    _store_down(monkeypatch, app, StorageAuthError("http://s3.internal:8333 refused access"))
    before = stored_keys(media)

    graduate = graduation.graduate()

    failed = graduation.certificate_of(graduate.enrolment_id)
    assert failed.status == CertificateStatus.FAILED
    assert failed.failure_reason == "The file store refused the platform's credentials."
    assert (failed.pdf_sha256, failed.credential, failed.issued_at) == (None, None, None)
    assert make.count(Notification, kind=ISSUED_MAIL) == 0
    assert stored_keys(media) == before
    shown = client.get(f"/api/v1/certificates/{graduate.public_id}", headers=admin.headers)
    assert shown.json["failure_reason"] == failed.failure_reason
    assert "s3.internal" not in shown.get_data(as_text=True)
    no_pdf = client.get(
        f"/api/v1/certificates/{graduate.public_id}/pdf", headers=graduate.person.headers
    )
    assert no_pdf.status_code == 409

    monkeypatch.undo()
    retried = client.post(f"/api/v1/certificates/{graduate.public_id}/retry", headers=admin.headers)

    assert retried.status_code == 202
    assert retried.json["status"] == "pending"
    issued = graduation.certificate_of(graduate.enrolment_id)
    assert issued.status == CertificateStatus.ISSUED
    assert issued.failure_reason is None
    assert issued.verification_code == failed.verification_code
    assert make.count(Notification, kind=ISSUED_MAIL) == 1
    assert make.count(AuditEvent, action="certificate.retried") == 1
    again = client.post(f"/api/v1/certificates/{graduate.public_id}/retry", headers=admin.headers)
    assert again.status_code == 409
    assert make.count(AuditEvent, action="certificate.retried") == 1


def test_an_unreachable_store_never_fails_a_certificate_the_sweeper_issues_it_later(
    app, graduation, make, monkeypatch, settings
):
    _store_down(monkeypatch, app, StorageUnavailable("cannot reach http://s3.internal:8333"))

    graduate = graduation.graduate()  # eager: the last attempt, yet only an outage

    waiting = graduation.certificate_of(graduate.enrolment_id)
    assert (waiting.status, waiting.failure_reason) == (CertificateStatus.PENDING, None)
    assert make.count(OutboxMessage, task=issuing.RENDER_TASK, status="pending") == 1

    monkeypatch.undo()
    clock.freeze(clock.now() + timedelta(seconds=settings.outbox_sweep_after_seconds))
    try:
        assert app.test_cli_runner().invoke(main, ["outbox", "sweep"]).exit_code == 0
    finally:
        clock.freeze(None)

    assert graduation.certificate_of(graduate.enrolment_id).status == CertificateStatus.ISSUED
    assert make.count(Notification, kind=ISSUED_MAIL) == 1


def test_an_unexpected_failure_is_recorded_without_its_message(app, graduation, monkeypatch):
    _store_down(monkeypatch, app, RuntimeError("password=hunter2 leaked in a message"))

    failed = graduation.certificate_of(graduation.graduate().enrolment_id)

    assert failed.status == CertificateStatus.FAILED
    assert failed.failure_reason == "Unexpected error (RuntimeError)."


def test_on_s3_the_pdf_is_an_object_of_its_own_downloaded_by_a_presigned_url(
    app, client, graduation, monkeypatch, s3_options
):
    s3 = S3Storage(s3_options)
    monkeypatch.setitem(app.extensions, "elearn.storage", s3)
    trainee = graduation.trainee(language="ru", full_name="Алиева Лейла")

    graduate = graduation.graduate(trainee)

    certificate = graduation.certificate_of(graduate.enrolment_id)
    head = s3.head(certificate.pdf_key)
    assert head.content_type == "application/pdf"
    assert (head.size, head.sha256) == (certificate.pdf_size, certificate.pdf_sha256)
    redirect = client.get(f"/api/v1/certificates/{graduate.public_id}/pdf", headers=trainee.headers)
    pdf = requests.get(redirect.headers["Location"], timeout=30)
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert "%D0%90%D0%BB%D0%B8%D0%B5%D0%B2%D0%B0" in pdf.headers["Content-Disposition"]
    assert hashlib.sha256(pdf.content).hexdigest() == certificate.pdf_sha256


def test_issuing_reads_the_certificate_and_what_it_states_then_writes_it_once(
    app, graduation, queries
):
    graduate = graduation.graduate()
    certificate = graduation.certificate_of(graduate.enrolment_id)
    graduation.change(graduate.public_id, status=CertificateStatus.PENDING)
    queries.reset()

    with app.app_context(), unit_of_work():
        issuing.render(certificate.id, last_attempt=False)

    # the certificate held with holder and course; the course's texts; the signing key; other
    # renderings due (none: see test_batches.py); the certificate written; the mail (its dedupe
    # key already used: no outbox row this time)
    assert queries.count == 6, queries.statements
    assert graduation.certificate_of(graduate.enrolment_id).status == CertificateStatus.ISSUED
