"""The platform's Ed25519 signing keys, shared by every api and worker process through the database.

One key is active and signs new credentials. ``elearn keys generate`` makes a new active key and
retires the previous one, which signs nothing more but stays published in the JWKS, so every
credential it signed still verifies. When a credential must be signed and no key exists at all,
the first key is generated on the spot (in every mode): processes racing to do so are settled by
the one-active-key unique index.

Private keys are stored as PKCS#8 PEM sealed with AES-256-GCM under a key derived (HKDF-SHA256)
from ``ELEARN_SECRET_KEY``, the key id bound as associated data. Changing the secret key makes
the stored private keys unusable, never the published public ones: run ``elearn keys generate``
afterwards.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select

from elearn import clock
from elearn.audit import service as audit_log
from elearn.certificates.models import SigningKey
from elearn.config import current_settings
from elearn.database import insert_or_get, locked
from elearn.errors import Conflict, NotFound
from elearn.extensions import db

ALGORITHM = "EdDSA"
# RFC 9864 deprecates "EdDSA" in favour of the fully specified "Ed25519"; the same keys sign both.
ALGORITHMS = ("EdDSA", "Ed25519")
_SEAL_VERSION = "v1"
_SEAL_INFO = b"elearn signing keys: AES-256-GCM sealing v1"
_NONCE_BYTES = 12


class SigningKeyUnavailable(RuntimeError):
    """The active private key cannot be unsealed with the configured secret key."""


@dataclass(frozen=True)
class ActiveKey:
    kid: str
    private_key: Ed25519PrivateKey


def generate_signing_key() -> SigningKey:
    """A new active key; the key active until now is retired and stays published."""
    now = clock.now()
    previous = locked(select(SigningKey).where(SigningKey.active.is_(True)))
    if previous is not None:
        previous.active = False
        previous.retired_at = now
        db.session.flush()
    key = _new_key(now)
    db.session.add(key)
    _record_generated(key, retired=previous)
    return key


def _new_key(now: datetime) -> SigningKey:
    private_key = Ed25519PrivateKey.generate()
    jwk = public_jwk(private_key.public_key())
    return SigningKey(
        kid=jwk["kid"],
        public_jwk=jwk,
        sealed_private_key=_seal(private_key, jwk["kid"]),
        active=True,
        created_at=now,
    )


def _record_generated(key: SigningKey, retired: SigningKey | None) -> None:
    db.session.flush()
    audit_log.record(
        None,
        "signing_key.generated",
        "signing_key",
        key.id,
        kid=key.kid,
        retired=retired.kid if retired is not None else None,
    )


def active_signing_key() -> ActiveKey:
    """The key that signs new credentials, generating the very first one if there is none."""
    key = _active_key() or _generate_first_key()
    return ActiveKey(kid=key.kid, private_key=_unseal(key))


def list_signing_keys() -> list[SigningKey]:
    """Every key, newest first."""
    return list(
        db.session.scalars(
            select(SigningKey).order_by(SigningKey.created_at.desc(), SigningKey.id.desc())
        )
    )


def published_keys() -> list[dict[str, Any]]:
    """The public JWK of every key, active or retired, newest first; never private material.

    The first key is generated here if there is none yet, so the set is never empty (it is
    cached by verifiers). Each JWK names the algorithm new credentials are issued with.
    """
    jwks = list(
        db.session.scalars(
            select(SigningKey.public_jwk).order_by(
                SigningKey.created_at.desc(), SigningKey.id.desc()
            )
        )
    ) or [_generate_first_key().public_jwk]
    algorithm = current_settings().credential_jwt_algorithm
    return [{**jwk, "alg": algorithm} for jwk in jwks]


def public_key(kid: str) -> Ed25519PublicKey | None:
    """The published public key with this id, if any."""
    jwk = db.session.scalar(select(SigningKey.public_jwk).where(SigningKey.kid == kid))
    if jwk is None:
        return None
    return Ed25519PublicKey.from_public_bytes(_b64decode(jwk["x"]))


def delete_signing_key(kid: str) -> None:
    """Withdraw a retired key (after a compromise): credentials it signed stop verifying."""
    key = db.session.scalar(select(SigningKey).where(SigningKey.kid == kid))
    if key is None:
        raise NotFound("No such signing key.")
    if key.active:
        raise Conflict("The active key cannot be deleted; generate a new key first.")
    db.session.delete(key)
    db.session.flush()
    audit_log.record(None, "signing_key.deleted", "signing_key", key.id, kid=kid)


def public_jwk(key: Ed25519PublicKey) -> dict[str, Any]:
    """The key as a JWK (RFC 8037); its ``kid`` is the RFC 7638 thumbprint."""
    x = _b64encode(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    required = {"crv": "Ed25519", "kty": "OKP", "x": x}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True).encode()
    kid = _b64encode(hashlib.sha256(canonical).digest())
    return {**required, "kid": kid, "use": "sig", "alg": ALGORITHM}


def _active_key() -> SigningKey | None:
    return db.session.scalar(select(SigningKey).where(SigningKey.active.is_(True)))


def _generate_first_key() -> SigningKey:
    """The first key, or the one another process generated first."""
    key, created = insert_or_get(_new_key(clock.now()), _active_key)
    if created:
        _record_generated(key, retired=None)
    return key


def _sealing_key(secret: str) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_INFO).derive(
        secret.encode()
    )
    return AESGCM(derived)


def _seal(private_key: Ed25519PrivateKey, kid: str) -> str:
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _sealing_key(current_settings().secret_key).encrypt(nonce, pem, kid.encode())
    return f"{_SEAL_VERSION}.{_b64encode(nonce + sealed)}"


def _unseal(key: SigningKey) -> Ed25519PrivateKey:
    return _unsealed(key.kid, key.sealed_private_key, current_settings().secret_key)


# Every credential a worker issues is signed with the same key: unsealing it (a key derivation,
# a decryption, a PEM parse) is done once per process and sealed value, not once per credential.
@functools.lru_cache(maxsize=8)
def _unsealed(kid: str, sealed: str, secret: str) -> Ed25519PrivateKey:
    version, _, payload = sealed.partition(".")
    raw = _b64decode(payload)
    try:
        if version != _SEAL_VERSION:
            raise InvalidTag
        pem = _sealing_key(secret).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], kid.encode())
    except InvalidTag:
        raise SigningKeyUnavailable(
            f"The active signing key {kid} cannot be unsealed with ELEARN_SECRET_KEY "
            "(was the secret changed?). Run `elearn keys generate` to start a new key; "
            "credentials signed before stay verifiable."
        ) from None
    loaded = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise SigningKeyUnavailable(f"Signing key {kid} is not an Ed25519 key.")
    return loaded


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
