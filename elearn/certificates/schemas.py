"""Shapes of certificates, their jobs, public verification and the signing keys."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from elearn.certificates.service.statement import issuer
from elearn.schemas import Id, Integer, StrictSchema, text

MAX_CREDENTIAL_LENGTH = 20_000


class JwkSchema(ma.Schema):
    """A public Ed25519 key (RFC 8037); only these public members are ever written."""

    kty = ma.fields.String()
    crv = ma.fields.String()
    x = ma.fields.String()
    kid = ma.fields.String()
    use = ma.fields.String()
    alg = ma.fields.String()


class AchievementSchema(ma.Schema):
    """An Open Badges 3.0 Achievement: what a course's certificates attest."""

    context = ma.fields.List(ma.fields.String(), attribute="@context", data_key="@context")
    id = ma.fields.String()
    type = ma.fields.List(ma.fields.String())
    achievementType = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String()
    criteria = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    inLanguage = ma.fields.String()


class JwksSchema(ma.Schema):
    keys = ma.fields.List(ma.fields.Nested(JwkSchema))


class CertificateSchema(ma.Schema):
    """A certificate as its holder, their contact point, its trainers and admins see it."""

    public_id = ma.fields.String()
    verification_code = ma.fields.String()
    verification_url = ma.fields.Function(
        lambda certificate: issuer().verification_url(certificate.verification_code)
    )
    status = ma.fields.String()
    enrolment_id = Id()
    course_id = ma.fields.Function(lambda certificate: certificate.enrolment.course_id)
    language = ma.fields.String()
    holder_name = ma.fields.String()
    administration_name = ma.fields.String(allow_none=True)
    course_title = ma.fields.String()
    completed_on = ma.fields.Date()
    duration_minutes = Integer()
    pdf_size = Integer(allow_none=True)
    pdf_sha256 = ma.fields.String(allow_none=True)
    failure_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    issued_at = ma.fields.AwareDateTime(allow_none=True)
    revoked_at = ma.fields.AwareDateTime(allow_none=True)
    revocation_reason = ma.fields.String(allow_none=True)
    superseded_at = ma.fields.AwareDateTime(allow_none=True)


class SignedCredentialSchema(ma.Schema):
    credential = ma.fields.String(
        metadata={"description": "The Open Badges 3.0 credential as a compact JWS (EdDSA)"}
    )


class RevokeSchema(StrictSchema):
    reason = text(500, required=True)


class RetryFailedSchema(StrictSchema):
    since = ma.fields.AwareDateTime(
        required=True,
        metadata={"description": "Retry the certificates that failed and were written since"},
    )


class RetriedSchema(ma.Schema):
    retried = Integer(required=True, metadata={"description": "Certificates queued again"})


class ReissueSchema(StrictSchema):
    reason = text(500, required=True)
    holder_name = text(
        200, metadata={"description": "The corrected name; default: the holder's current name"}
    )


class ExportRequestSchema(StrictSchema):
    course_id = Id(required=True)
    administration = ma.fields.String(
        validate=ma.validate.Length(equal=2),
        metadata={"description": "Administration code; default: the caller's own"},
    )


class JobSchema(ma.Schema):
    """Progress of a background job over certificates."""

    id = Id(attribute="job.id")
    kind = ma.fields.String(attribute="job.kind")
    status = ma.fields.String(attribute="job.status")
    course_id = Id(attribute="job.course_id")
    total = Integer(attribute="job.total")
    done = Integer(attribute="job.done")
    failed = Integer(attribute="job.failed")
    failure_reason = ma.fields.String(attribute="job.failure_reason", allow_none=True)
    created_at = ma.fields.AwareDateTime(attribute="job.created_at")
    finished_at = ma.fields.AwareDateTime(attribute="job.finished_at", allow_none=True)


class ExportSchema(JobSchema):
    administration = ma.fields.String()
    download_url = ma.fields.String(
        allow_none=True,
        metadata={"description": "Short-lived link to the zip, once the export is done"},
    )


class PublicRecordSchema(ma.Schema):
    """What a certificate states, for anyone holding its code; absent values are left out."""

    code = ma.fields.String()
    status = ma.fields.String(metadata={"description": "valid, revoked or superseded"})
    holder_name = ma.fields.String()
    administration = ma.fields.String()
    course = ma.fields.String()
    completed_on = ma.fields.Date()
    language = ma.fields.String()
    pdf_sha256 = ma.fields.String(allow_none=True)
    revoked_at = ma.fields.AwareDateTime(allow_none=True)
    revocation_reason = ma.fields.String(allow_none=True)
    superseded_at = ma.fields.AwareDateTime(allow_none=True)

    @ma.post_dump
    def _without_absent(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {name: value for name, value in data.items() if value is not None}


class CredentialInputSchema(StrictSchema):
    credential = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=MAX_CREDENTIAL_LENGTH)
    )


class CredentialCheckSchema(ma.Schema):
    verdict = ma.fields.String(
        attribute="verification.verdict", metadata={"description": "valid or revoked"}
    )
    kid = ma.fields.String(attribute="verification.kid")
    revocation_reason = ma.fields.String(
        attribute="verification.revocation_reason", allow_none=True
    )
    certificate = ma.fields.Nested(PublicRecordSchema, allow_none=True)
