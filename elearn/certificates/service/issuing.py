"""Issuing: a pending certificate when an enrolment completes, then its PDF and credential.

The certificate row and the outbox row of its rendering are written in the transaction that
completes the enrolment (a receiver of ``enrolment_completed``). The rendering task holds the
certificate row while it works, so two deliveries at the same moment run one after the other
and the second finds the certificate issued; the PDF goes to the key fixed on the row, so a
delivery repeated after a crash overwrites the same object instead of adding one.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from elearn import clock
from elearn.accounts.models import User
from elearn.audit import service as audit_log
from elearn.certificates.credentials import status_list
from elearn.certificates.credentials.credential import build_credential, sign_credential
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.certificates.rendering.pdf import render_certificate
from elearn.certificates.service import codes, failures, statement
from elearn.courses.models import Course
from elearn.database import insert_or_get, locked
from elearn.enrolments.models import Enrolment
from elearn.enrolments.signals import enrolment_completed
from elearn.errors import Conflict
from elearn.extensions import db
from elearn.infra import outbox
from elearn.infra.storage import new_object_key, storage
from elearn.notifications import service as notifications

log = logging.getLogger(__name__)
RENDER_TASK = "elearn.certificates.render"
ISSUED_MAIL = "certificate_issued"


def issue_for_enrolment(enrolment_id: int) -> Certificate:
    """The enrolment's current certificate; a new pending one, its rendering queued, if none."""
    existing = current_certificate(enrolment_id)
    if existing is not None:
        return existing
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise ValueError(f"no enrolment {enrolment_id}")
    certificate, created = insert_or_get(
        new_certificate(enrolment, **statement.snapshot(enrolment)),
        lambda: current_certificate(enrolment_id),
    )
    if created:
        queue_rendering(certificate)
    return certificate


def new_certificate(enrolment: Enrolment, **stated: object) -> Certificate:
    """A pending certificate with a fresh code, public id and PDF key (not yet added)."""
    return Certificate(
        enrolment=enrolment,
        status=CertificateStatus.PENDING,
        public_id=codes.new_public_id(),
        verification_code=codes.new_verification_code(),
        pdf_key=new_object_key("certificates"),
        **stated,
    )


def current_certificate(enrolment_id: int) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.enrolment_id == enrolment_id,
            Certificate.status != CertificateStatus.SUPERSEDED,
        )
    )


def queue_rendering(certificate: Certificate) -> None:
    db.session.flush()
    outbox.enqueue(RENDER_TASK, queue="certificates", certificate_id=certificate.id)


def _locked_for_issuing(certificate_id: int) -> Certificate | None:
    """The certificate locked, with the holder and the course it needs, in two queries."""
    enrolment = joinedload(Certificate.enrolment, innerjoin=True)
    return locked(
        select(Certificate)
        .where(Certificate.id == certificate_id)
        .options(
            enrolment.joinedload(Enrolment.user, innerjoin=True).lazyload(User.role_links),
            enrolment.joinedload(Enrolment.course, innerjoin=True).options(
                lazyload(Course.owner_links),
                lazyload(Course.administration_links),
                lazyload(Course.topic_links),
            ),
        ),
        of=Certificate,
    )


def render(certificate_id: int, *, last_attempt: bool) -> None:
    """Issue a pending certificate once: PDF stored, credential signed, holder mailed.

    Any other status is left alone. A failure is raised to be retried; on the last attempt the
    certificate is marked failed with the reason, for an admin to retry.
    """
    certificate = _locked_for_issuing(certificate_id)
    if certificate is None or certificate.status != CertificateStatus.PENDING:
        return

    def give_up(reason: str) -> None:
        certificate.status = CertificateStatus.FAILED
        certificate.failure_reason = reason

    failures.attempt(lambda: _issue(certificate), last=last_attempt, give_up=give_up)


def store_pdf(certificate: Certificate) -> None:
    """Render the certificate's PDF from its snapshot and store it under its key."""
    pdf = render_certificate(statement.content_of(certificate), statement.issuer())
    stored = storage().put(certificate.pdf_key, pdf, statement.PDF_CONTENT_TYPE)
    certificate.pdf_size, certificate.pdf_sha256 = stored.size, stored.sha256


def _issue(certificate: Certificate) -> None:
    store_pdf(certificate)
    now = clock.now()
    issuer = statement.issuer()
    enrolment = certificate.enrolment
    achievement = statement.achievement_of(enrolment.course, certificate.language, issuer)
    content = statement.content_of(certificate)
    position = status_list.Position.of(certificate.id)
    # Reading the signing key would flush the PDF's figures on their own; they go with the rest.
    with db.session.no_autoflush:
        certificate.credential = sign_credential(
            build_credential(content, achievement, issuer, now, position)
        )
    certificate.status = CertificateStatus.ISSUED
    certificate.issued_at = now
    certificate.failure_reason = None
    if certificate.replaces is not None:
        # The corrected certificate is out: the superseded PDF, with the wrong name, goes.
        storage().delete(certificate.replaces.pdf_key)
    notifications.notify(
        enrolment.user,
        ISSUED_MAIL,
        {
            "certificate": certificate.public_id,
            "verification_code": certificate.verification_code,
            "course_title": certificate.course_title,
        },
        dedupe_key=f"certificate-issued:{certificate.id}",
    )
    log.info("certificate %s issued", certificate.id)


def retry(actor: User | None, certificate: Certificate) -> Certificate:
    """Queue a failed certificate's rendering again; Conflict unless it failed."""
    locked(select(Certificate).where(Certificate.id == certificate.id))
    if certificate.status != CertificateStatus.FAILED:
        raise Conflict(
            f"Only a failed certificate can be retried; this one is {certificate.status}."
        )
    _requeue(actor, certificate)
    return certificate


def retry_failed(actor: User | None, since: datetime) -> int:
    """Queue again every certificate that failed and was written since ``since``; how many.
    The rows are read and locked in one statement; each gets its outbox row and audit event."""
    failed = db.session.scalars(
        select(Certificate)
        .where(Certificate.status == CertificateStatus.FAILED, Certificate.created_at >= since)
        .options(joinedload(Certificate.enrolment, innerjoin=True).joinedload(Enrolment.user))
        .order_by(Certificate.id)
        .with_for_update(of=Certificate)
        .execution_options(populate_existing=True)
    ).all()
    for certificate in failed:
        _requeue(actor, certificate)
    return len(failed)


def _requeue(actor: User | None, certificate: Certificate) -> None:
    certificate.status = CertificateStatus.PENDING
    certificate.failure_reason = None
    queue_rendering(certificate)
    record(actor, certificate, "certificate.retried")


def record(actor: User | None, certificate: Certificate, action: str, **details: object) -> None:
    """An audit event about ``certificate``, filed under its holder's administration."""
    holder = certificate.enrolment.user
    audit_log.record(
        actor,
        action,
        "certificate",
        certificate.public_id,
        administration_id=holder.administration_id,
        user_id=holder.id,
        course_id=certificate.enrolment.course_id,
        **details,
    )


def _on_enrolment_completed(enrolment_id: int) -> None:
    issue_for_enrolment(enrolment_id)


def connect() -> None:
    """Subscribe to completions (idempotent: blinker keeps one connection per receiver)."""
    enrolment_completed.connect(_on_enrolment_completed, weak=False)
