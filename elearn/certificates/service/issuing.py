"""Issuing: a pending certificate when an enrolment completes, then its PDF and credential.

The certificate row and the outbox row of its rendering are written in the transaction that
completes the enrolment (a receiver of ``enrolment_completed``). The rendering task holds the
certificate row while it works, so two deliveries at the same moment run one after the other
and the second finds the certificate issued; the PDF goes to the key fixed on the row, so a
delivery repeated after a crash overwrites the same object instead of adding one.

A delivery also issues, in its transaction, other certificates whose rendering is due (a
batch): it claims their outbox rows, so their own deliveries find nothing to do, and writes
them all in a few multi-row statements; one that fails is given back to its own delivery. So
of the renderings queued in one transaction only one in ``RENDER_BATCH`` is sent a message.
docs/performance.md ("Issuing in batches") tells the whole story.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from elearn import clock
from elearn.accounts.models import User
from elearn.audit import service as audit_log
from elearn.certificates.credentials import status_list
from elearn.certificates.credentials.credential import build_credential, sign_credential
from elearn.certificates.credentials.keys import ActiveKey, active_signing_key
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.certificates.rendering.pdf import render_certificate
from elearn.certificates.service import codes, failures, statement
from elearn.certificates.service.content import Issuer
from elearn.courses.models import Course
from elearn.database import insert_or_get, locked
from elearn.enrolments.models import Enrolment
from elearn.enrolments.signals import enrolment_completed
from elearn.errors import Conflict
from elearn.extensions import db
from elearn.infra import outbox
from elearn.infra.storage import StoredObject, new_object_key, storage
from elearn.infra.tasks import loggable
from elearn.notifications import service as notifications

log = logging.getLogger(__name__)
RENDER_TASK = "elearn.certificates.render"
RENDER_QUEUE = "certificates"
# At most this many certificates are issued in one task and one transaction.
RENDER_BATCH = 20
# A certificate that failed in another's batch is left to its own delivery for this long.
RELEASE_HOLD_SECONDS = 60
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
    """Queue the certificate's rendering; of many queued in one transaction (bulk completions
    or retries), one message per ``RENDER_BATCH`` is sent, whose delivery issues the others."""
    db.session.flush()
    outbox.enqueue(
        RENDER_TASK, queue=RENDER_QUEUE, batch=RENDER_BATCH, certificate_id=certificate.id
    )


def _held(certificate_ids: Sequence[int], *, skip_locked: bool = False) -> list[Certificate]:
    """The certificates locked (those another transaction holds left out with
    ``skip_locked``), with their holders, courses and the courses' texts, in two queries."""
    enrolment = joinedload(Certificate.enrolment, innerjoin=True)
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.id.in_(certificate_ids))
            .options(
                enrolment.joinedload(Enrolment.user, innerjoin=True).lazyload(User.role_links),
                enrolment.joinedload(Enrolment.course, innerjoin=True).options(
                    lazyload(Course.owner_links),
                    lazyload(Course.administration_links),
                    lazyload(Course.topic_links),
                    selectinload(Course.translations),
                ),
            )
            .order_by(Certificate.id)
            .with_for_update(of=Certificate, skip_locked=skip_locked)
            .execution_options(populate_existing=True)
        )
    )


class _Batch:
    """What the certificates issued together share: the issuer, the moment, the signing key
    (read once, when the first is signed)."""

    def __init__(self) -> None:
        self.issuer = statement.issuer()
        self.now = clock.now()
        self._key: ActiveKey | None = None

    def sign(self, credential: dict[str, Any]) -> str:
        self._key = self._key or active_signing_key()
        return sign_credential(credential, self._key)


def render(certificate_id: int, *, last_attempt: bool) -> None:
    """Issue a pending certificate once: PDF stored, credential signed, holder mailed; and in
    the same transaction up to ``RENDER_BATCH - 1`` others whose rendering is due.

    Any other status is left alone. A failure of this certificate is raised to be retried (the
    others are not touched before it is done); on the last attempt it is marked failed with
    the reason, for an admin to retry. One of the others that fails goes back to its own task.
    The certificates are written, and their mail queued, in one statement each at the end.
    """
    with db.session.no_autoflush:
        held = _held([certificate_id])
        if not held or held[0].status != CertificateStatus.PENDING:
            return
        certificate, batch = held[0], _Batch()
        issued: list[Certificate] = []

        def give_up(reason: str) -> None:
            certificate.status = CertificateStatus.FAILED
            certificate.failure_reason = reason

        failures.attempt(
            lambda: issued.append(_issue(certificate, batch)), last=last_attempt, give_up=give_up
        )
        issued += _issue_others(RENDER_BATCH - 1, batch)
        db.session.flush()
    notifications.notify_each(ISSUED_MAIL, [_issued_mail(each) for each in issued])
    for each in issued:
        log.info("certificate %s issued", each.id)


def _issue_others(limit: int, batch: _Batch) -> list[Certificate]:
    """Claim up to ``limit`` other due renderings and issue their certificates. A certificate
    another transaction holds, or whose issuing fails, is released to its own task."""
    claimed = outbox.claim_next(RENDER_TASK, limit)
    if not claimed:
        return []
    messages = {message.kwargs["certificate_id"]: message for message in claimed}
    held = {each.id: each for each in _held(list(messages), skip_locked=True)}
    issued, released = [], []
    for certificate_id, message in messages.items():
        certificate = held.get(certificate_id)
        if certificate is None:
            released.append(message)
        elif certificate.status == CertificateStatus.PENDING:
            try:
                issued.append(_issue(certificate, batch))
            except Exception as error:
                log.warning(
                    "certificate %s left to its own task: %s", certificate_id, loggable(error)
                )
                released.append(message)
    outbox.release(RENDER_TASK, RENDER_QUEUE, released, RELEASE_HOLD_SECONDS)
    return issued


def _stored_pdf(certificate: Certificate, issuer: Issuer) -> StoredObject:
    pdf = render_certificate(statement.content_of(certificate), issuer)
    return storage().put(certificate.pdf_key, pdf, statement.PDF_CONTENT_TYPE)


def store_pdf(certificate: Certificate) -> None:
    """Render the certificate's PDF from its snapshot and store it under its key."""
    stored = _stored_pdf(certificate, statement.issuer())
    certificate.pdf_size, certificate.pdf_sha256 = stored.size, stored.sha256


def _issue(certificate: Certificate, batch: _Batch) -> Certificate:
    """Store the PDF and sign the credential, then mark the certificate issued (in the session,
    not yet written): a failure leaves it as it was."""
    stored = _stored_pdf(certificate, batch.issuer)
    content = statement.content_of(certificate)
    achievement = statement.achievement_of(
        certificate.enrolment.course, certificate.language, batch.issuer
    )
    position = status_list.Position.of(certificate.id)
    credential = batch.sign(
        build_credential(content, achievement, batch.issuer, batch.now, position)
    )
    if certificate.replaces is not None:
        # The corrected certificate is out: the superseded PDF, with the wrong name, goes.
        storage().delete(certificate.replaces.pdf_key)
    certificate.pdf_size, certificate.pdf_sha256 = stored.size, stored.sha256
    certificate.credential = credential
    certificate.status = CertificateStatus.ISSUED
    certificate.issued_at = batch.now
    certificate.failure_reason = None
    return certificate


def _issued_mail(certificate: Certificate) -> notifications.Mail:
    return notifications.Mail(
        certificate.enrolment.user,
        {
            "certificate": certificate.public_id,
            "verification_code": certificate.verification_code,
            "course_title": certificate.course_title,
        },
        dedupe_key=f"certificate-issued:{certificate.id}",
    )


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
