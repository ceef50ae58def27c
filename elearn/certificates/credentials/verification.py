"""Public verification: what a certificate states, found by its code; and signed credentials.

Only what the certificate itself states is shown: status, holder's name, administration,
course, completion date and the PDF's SHA-256; never an email, a score or an id. A superseded
certificate shows its status and when it was replaced, and nothing personal: not the name it
carried, not the certificate that replaced it.

Every code costs exactly one lookup on the unique index of ``verification_code``, whether it is
well-formed or not: a malformed code is looked up as typed (it can match nothing) before it is
refused. So a malformed code and an unknown one take the same path through the database, and
the only difference between their answers (400 and 404) is one the client can compute itself:
the format of a code is public.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from elearn.certificates.credentials.credential import Verdict, Verification, verify_credential
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.certificates.service import codes
from elearn.errors import Invalid, NotFound, Unprocessable
from elearn.extensions import db

_PUBLIC_STATUS = {
    CertificateStatus.ISSUED: "valid",
    CertificateStatus.REVOKED: "revoked",
    CertificateStatus.SUPERSEDED: "superseded",
}
_CODE_COLUMN_LENGTH = 14


@dataclass(frozen=True)
class PublicRecord:
    """A certificate as anyone holding its code may see it."""

    code: str
    status: str
    holder_name: str | None = None
    administration: str | None = None
    course: str | None = None
    completed_on: date | None = None
    language: str | None = None
    pdf_sha256: str | None = None
    revoked_at: datetime | None = None
    revocation_reason: str | None = None
    superseded_at: datetime | None = None


@dataclass(frozen=True)
class CredentialCheck:
    """A credential whose signature holds, and the status of the certificate it names."""

    verification: Verification
    certificate: PublicRecord | None


def verify_code(raw: str) -> PublicRecord:
    """What the certificate with this code states; Invalid for a string that cannot be a code,
    NotFound for a code no issued certificate has (see the module's note on timing)."""
    try:
        code, malformed = codes.normalize_code(raw), None
    except Invalid as refusal:
        code, malformed = raw[:_CODE_COLUMN_LENGTH], refusal
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.verification_code == code)
    )
    if malformed is not None:
        raise malformed
    if certificate is None or certificate.issued_at is None:
        raise NotFound("No certificate has this verification code.")
    return public_record(certificate)


def public_record(certificate: Certificate) -> PublicRecord:
    """The public view of an issued certificate; a superseded one shows nothing personal."""
    status = _PUBLIC_STATUS[CertificateStatus(certificate.status)]
    if certificate.status == CertificateStatus.SUPERSEDED:
        return PublicRecord(
            code=certificate.verification_code,
            status=status,
            superseded_at=certificate.superseded_at,
        )
    return PublicRecord(
        code=certificate.verification_code,
        status=status,
        holder_name=certificate.holder_name,
        administration=certificate.administration_name,
        course=certificate.course_title,
        completed_on=certificate.completed_on,
        language=certificate.language,
        pdf_sha256=certificate.pdf_sha256,
        revoked_at=certificate.revoked_at,
        revocation_reason=certificate.revocation_reason,
    )


def check_credential(token: str) -> CredentialCheck:
    """Verify signature, key and shape, then whether the certificate was revoked or replaced.

    Unprocessable, naming the reason (``bad_signature``, ``unknown_key``, ``malformed`` …),
    when the token is not a credential this platform signed.
    """
    named: list[Certificate | None] = []

    def status_of(credential: Mapping[str, Any]) -> str | None:
        certificate = _named_by(credential.get("id"))
        named.append(certificate)
        if certificate is None:
            return "This certificate no longer exists."
        if certificate.status == CertificateStatus.REVOKED:
            return certificate.revocation_reason or "Revoked."
        if certificate.status == CertificateStatus.SUPERSEDED:
            return "Replaced by a reissued certificate."
        return None

    verification = verify_credential(token, status_of=status_of)
    if verification.verdict is Verdict.INVALID:
        raise Unprocessable(
            "This is not a valid credential of this platform.",
            extra={"verdict": verification.verdict, "reason": verification.reason},
        )
    certificate = named[0] if named else None
    return CredentialCheck(verification, public_record(certificate) if certificate else None)


def _named_by(credential_id: object) -> Certificate | None:
    """The certificate whose verification page is ``credential_id`` (its last path segment)."""
    if not isinstance(credential_id, str):
        return None
    try:
        code = codes.normalize_code(credential_id.rstrip("/").rsplit("/", 1)[-1])
    except Invalid:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.verification_code == code))
