"""A certificate as a signed credential anyone can verify offline with the published keys.

The credential has the W3C Verifiable Credentials 2.0 / Open Badges 3.0 shape and is signed as
a JWT (Open Badges 3.0, section 8.2): the payload is the credential itself plus the registered
claims ``iss`` (issuer id), ``jti`` (credential id) and ``nbf`` (validFrom); the header names the
signing key (``kid``) of ``/.well-known/jwks.json`` and the algorithm (``EdDSA``, or ``Ed25519``
as RFC 9864 names it; ``ELEARN_CREDENTIAL_JWT_ALGORITHM`` picks the one issued, both verify).
Its ``id`` is the public verification page; its ``credentialStatus`` is an entry of a W3C
Bitstring Status List (``status_list``) that any verifier reads to see a revocation.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt
from jwt.algorithms import OKPAlgorithm

from elearn import clock
from elearn.certificates.credentials import keys, status_list
from elearn.certificates.rendering.labels import labels_for
from elearn.certificates.service.content import Achievement, CertificateContent, Issuer
from elearn.certificates.service.statement import OPEN_BADGES_CONTEXT, VC_CONTEXT
from elearn.config import current_settings

CREDENTIAL_TYPES = ("VerifiableCredential", "OpenBadgeCredential")
REGISTERED_CLAIMS = ("iss", "jti", "nbf")
CLOCK_SKEW = timedelta(minutes=5)

_JWS = jwt.PyJWS(algorithms=[keys.ALGORITHM])
_JWS.register_algorithm("Ed25519", OKPAlgorithm())

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
    status_position: status_list.Position,
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
        "credentialStatus": status_list.entry(status_position, issuer),
    }


def sign_credential(credential: Mapping[str, Any], key: keys.ActiveKey | None = None) -> str:
    """The credential as a compact JWT signed with ``key`` (by default the active key; ``kid``
    header), under the configured algorithm name."""
    key = key or keys.active_signing_key()
    valid_from = datetime.fromisoformat(credential["validFrom"])
    claims = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(valid_from.timestamp()),
    }
    payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode()
    algorithm = current_settings().credential_jwt_algorithm
    return _JWS.encode(payload, key.private_key, algorithm=algorithm, headers={"kid": key.kid})


def verify_credential(token: str, *, status_of: StatusLookup | None = None) -> Verification:
    """Check signature, key and shape; then ask ``status_of`` whether it was revoked."""
    try:
        header = jwt.get_unverified_header(token)
    except (jwt.PyJWTError, TypeError, ValueError):
        return Verification(Verdict.INVALID, Reason.MALFORMED)
    if header.get("alg") not in keys.ALGORITHMS:
        return Verification(Verdict.INVALID, Reason.UNSUPPORTED_ALGORITHM)
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    public_key = keys.public_key(kid) if kid is not None else None
    if public_key is None:
        return Verification(Verdict.INVALID, Reason.UNKNOWN_KEY, kid=kid)
    try:
        # Only the signature: times are checked below against the application clock.
        claims = json.loads(_JWS.decode(token, public_key, algorithms=list(keys.ALGORITHMS)))
    except jwt.InvalidSignatureError:
        return Verification(Verdict.INVALID, Reason.BAD_SIGNATURE, kid=kid)
    except (jwt.PyJWTError, ValueError):
        return Verification(Verdict.INVALID, Reason.MALFORMED, kid=kid)
    if not isinstance(claims, dict):
        return Verification(Verdict.INVALID, Reason.NOT_A_CREDENTIAL, kid=kid)
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
