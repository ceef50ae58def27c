"""Reading certificates: one by its public id, the caller's own, the PDF and the credential."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from elearn import policy
from elearn.accounts.models import User
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.certificates.service import codes, statement
from elearn.errors import Conflict, NotFound
from elearn.extensions import db
from elearn.infra.storage import storage
from elearn.pagination import Page, PageRequest, fetch_page

# Long enough to start a download, short enough that a leaked link soon stops working.
DOWNLOAD_TTL = timedelta(minutes=5)


def find_certificate(public_id: str) -> Certificate:
    """The certificate with this public id, its enrolment loaded; NotFound otherwise."""
    certificate = None
    if codes.is_public_id(public_id):
        certificate = db.session.scalar(
            select(Certificate)
            .join(Certificate.enrolment)
            .options(contains_eager(Certificate.enrolment))
            .where(Certificate.public_id == public_id)
        )
    if certificate is None:
        raise NotFound("No such certificate.")
    return certificate


def my_certificates(actor: User, page: PageRequest) -> Page[Certificate]:
    """The caller's current certificates (superseded ones left out), newest first."""
    query = (
        select(Certificate)
        .join(Certificate.enrolment)
        .options(contains_eager(Certificate.enrolment))
        .where(
            policy.enrolments.held.filter(actor),
            Certificate.status != CertificateStatus.SUPERSEDED,
        )
        .order_by(Certificate.created_at.desc(), Certificate.id.desc())
    )
    return fetch_page(query, page)


def _issued(certificate: Certificate) -> Certificate:
    if certificate.status != CertificateStatus.ISSUED:
        raise Conflict(f"This certificate is {certificate.status}; it has no document to give.")
    return certificate


def pdf_url(certificate: Certificate) -> str:
    """A short-lived download URL of the PDF, named after holder and code; issued ones only."""
    _issued(certificate)
    return storage().presigned_download(
        certificate.pdf_key,
        DOWNLOAD_TTL,
        statement.pdf_filename(certificate),
        statement.PDF_CONTENT_TYPE,
    )


def signed_credential(certificate: Certificate) -> str:
    """The certificate's signed credential (compact JWT); issued ones only."""
    credential = _issued(certificate).credential
    if credential is None:
        raise Conflict("This certificate has no signed credential.")
    return credential
