"""Revoking a certificate, and reissuing one after a correction (admins; audited).

Both lock the certificate row first, so of two admins acting at once the second sees the
first one's result (revoking twice, or reissuing a superseded certificate, is a Conflict).
"""

from __future__ import annotations

from sqlalchemy import select

from elearn import clock
from elearn.accounts.models import User
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.certificates.service.issuing import new_certificate, queue_rendering, record
from elearn.database import locked
from elearn.errors import Conflict
from elearn.extensions import db

_SNAPSHOT_KEPT = (
    "language",
    "administration_name",
    "course_title",
    "completed_on",
    "duration_minutes",
)


def revoke(actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Revoke now, with a reason shown at verification; Conflict if revoked or superseded."""
    locked(select(Certificate).where(Certificate.id == certificate.id))
    if certificate.status in (CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED):
        raise Conflict(f"This certificate is already {certificate.status}.")
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = clock.now()
    certificate.revocation_reason = reason
    record(actor, certificate, "certificate.revoked", reason=reason)
    db.session.flush()
    return certificate


def reissue(
    actor: User, certificate: Certificate, holder_name: str | None, reason: str
) -> Certificate:
    """A new pending certificate replacing an issued one: new code, public id and PDF.

    The name is ``holder_name`` or else the holder's current name; everything else is what the
    old certificate stated. The old one becomes superseded, and its verification shows nothing
    personal. Conflict unless the certificate is issued.
    """
    locked(select(Certificate).where(Certificate.id == certificate.id))
    if certificate.status != CertificateStatus.ISSUED:
        raise Conflict(
            f"Only an issued certificate can be reissued; this one is {certificate.status}."
        )
    certificate.status = CertificateStatus.SUPERSEDED
    certificate.superseded_at = clock.now()
    # The old row must leave the one-current-certificate index before the new row enters it.
    db.session.flush()
    enrolment = certificate.enrolment
    replacement = new_certificate(
        enrolment,
        replaces=certificate,
        holder_name=holder_name or enrolment.user.full_name,
        **{name: getattr(certificate, name) for name in _SNAPSHOT_KEPT},
    )
    db.session.add(replacement)
    queue_rendering(replacement)
    record(
        actor,
        certificate,
        "certificate.reissued",
        reason=reason,
        replacement=replacement.public_id,
        name_changed=replacement.holder_name != certificate.holder_name,
    )
    return replacement
