"""A certificate as a signed credential anyone can verify offline with the published keys.

The credential has the W3C Verifiable Credentials 2.0 / Open Badges 3.0 shape and is signed as
a JWT (Open Badges 3.0, section 8.2): the payload is the credential itself plus the registered
claims ``iss`` (issuer id), ``jti`` (credential id) and ``nbf`` (validFrom); the header names the
signing key (``kid``) of ``/.well-known/jwks.json``. Its ``id`` and ``credentialStatus.id`` are
the public verification page, which states whether the certificate still stands.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt

from elearn import clock
from elearn.certificates.credentials import keys
from elearn.certificates.rendering.labels import labels_for
from elearn.certificates.service.content import Achievement, CertificateContent, Issuer

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREDENTIAL_TYPES = ("VerifiableCredential", "OpenBadgeCredential")
# Not a registered status method: the page at credentialStatus.id states the certificate's status.
STATUS_TYPE = "ElearnVerificationPage"
REGISTERED_CLAIMS = ("iss", "jti", "nbf")
CLOCK_SKEW = timedelta(minutes=5)

StatusLookup = Callable[[Mapping[str, Any]], str | None]
"""Given a credential whose signature holds: why it was revoked, or None while it stands."""


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    REVOKED = "revoked"


class Reason(StrEnum):
    """Why a credential is not valid; stable values a client may rely on."""

    MALFORMED = "malformed"
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    NOT_A_CREDENTIAL = "not_a_credential"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a credential; ``credential`` is set once its signature holds."""

    verdict: Verdict
    reason: Reason | None = None
    credential: dict[str, Any] | None = None
    kid: str | None = None
    revocation_reason: str | None = None

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID


def build_credential(
    content: CertificateContent,
    achievement: Achievement,
    issuer: Issuer,
    issued_at: datetime,
) -> dict[str, Any]:
    """The Open Badges 3.0 credential a certificate states: the holder by name, never email."""
    url = issuer.verification_url(content.verification_code)
    return {
        "@context": [VC_CONTEXT, OPEN_BADGES_CONTEXT],
        "id": url,
        "type": list(CREDENTIAL_TYPES),
        "name": f"{labels_for(content.language).title}: {content.course_title}",
        "issuer": {"id": issuer.public_base_url, "type": ["Profile"], "name": issuer.name},
        "validFrom": issued_at.astimezone(UTC).isoformat(timespec="seconds"),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": content.trainee_name,
                }
            ],
            "achievement": {
                "id": achievement.id,
                "type": ["Achievement"],
                "achievementType": "CertificateOfCompletion",
                "name": content.course_title,
                "description": achievement.description,
                "criteria": {"narrative": achievement.criteria},
                "inLanguage": content.language,
            },
        },
        "credentialStatus": {"id": url, "type": STATUS_TYPE},
    }


def sign_credential(credential: Mapping[str, Any]) -> str:
    """The credential as a compact JWT signed with the active key (EdDSA, ``kid`` header)."""
    key = keys.active_signing_key()
    valid_from = datetime.fromisoformat(credential["validFrom"])
    claims = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(valid_from.timestamp()),
    }
    return jwt.encode(claims, key.private_key, algorithm=keys.ALGORITHM, headers={"kid": key.kid})


def verify_credential(token: str, *, status_of: StatusLookup | None = None) -> Verification:
    """Check signature, key and shape; then ask ``status_of`` whether it was revoked."""
    try:
        header = jwt.get_unverified_header(token)
    except (jwt.PyJWTError, TypeError, ValueError):
        return Verification(Verdict.INVALID, Reason.MALFORMED)
    if header.get("alg") != keys.ALGORITHM:
        return Verification(Verdict.INVALID, Reason.UNSUPPORTED_ALGORITHM)
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    public_key = keys.public_key(kid) if kid is not None else None
    if public_key is None:
        return Verification(Verdict.INVALID, Reason.UNKNOWN_KEY, kid=kid)
    try:
        claims = jwt.decode(
            token,
            public_key,
            algorithms=[keys.ALGORITHM],
            # Time is checked below against the application clock, not the wall clock.
            options={"verify_nbf": False, "verify_exp": False, "verify_iat": False},
        )
    except jwt.InvalidSignatureError:
        return Verification(Verdict.INVALID, Reason.BAD_SIGNATURE, kid=kid)
    except jwt.PyJWTError:
        return Verification(Verdict.INVALID, Reason.MALFORMED, kid=kid)
    credential = {name: value for name, value in claims.items() if name not in REGISTERED_CLAIMS}
    if not _is_credential(claims, credential):
        return Verification(Verdict.INVALID, Reason.NOT_A_CREDENTIAL, kid=kid)
    if datetime.fromtimestamp(claims["nbf"], UTC) > clock.now() + CLOCK_SKEW:
        return Verification(Verdict.INVALID, Reason.NOT_YET_VALID, credential, kid)
    revocation = status_of(credential) if status_of is not None else None
    if revocation is not None:
        return Verification(Verdict.REVOKED, Reason.REVOKED, credential, kid, revocation)
    return Verification(Verdict.VALID, None, credential, kid)


def _is_credential(claims: Mapping[str, Any], credential: Mapping[str, Any]) -> bool:
    issuer = credential.get("issuer")
    return (
        isinstance(credential.get("type"), list)
        and set(CREDENTIAL_TYPES) <= set(credential["type"])
        and isinstance(issuer, dict)
        and claims.get("iss") == issuer.get("id")
        and claims.get("jti") == credential.get("id")
        and isinstance(claims.get("nbf"), int)
    )
