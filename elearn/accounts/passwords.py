"""Password hashing (argon2id) and one-time set-password links."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from elearn import clock
from elearn.accounts.models import User
from elearn.config import current_settings

MIN_PASSWORD_LENGTH = 10
_SET_PASSWORD_SALT = "elearn.set-password"  # noqa: S105 - a salt name, not a secret


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hasher() -> PasswordHasher:
    settings = current_settings()
    return _hasher(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )


@lru_cache(maxsize=4)
def _decoy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_kib, parallelism).hash("decoy password never matches")


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Check ``password``; an unknown user costs the same time as a wrong password."""
    settings = current_settings()
    params = (settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)
    stored = user.password_hash if user is not None and user.password_hash else None
    try:
        hasher().verify(stored or _decoy_hash(*params), password)
    except (VerificationError, InvalidHashError):
        return False
    return stored is not None


def needs_rehash(user: User) -> bool:
    return user.password_hash is not None and hasher().check_needs_rehash(user.password_hash)


class _ClockSigner(TimestampSigner):
    """Stamps and ages links with ``elearn.clock``, so their expiry follows the one app clock."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_settings().secret_key, salt=_SET_PASSWORD_SALT, signer=_ClockSigner
    )


def _password_fingerprint(user: User) -> str:
    """Changes whenever the password does, so a set-password token works exactly once."""
    material = f"{user.password_hash or ''}:{user.session_version}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def make_set_password_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "fp": _password_fingerprint(user)})


def read_set_password_token(token: str) -> tuple[int, str] | None:
    """(user id, fingerprint) if the token is authentic and not expired, else None."""
    max_age = current_settings().set_password_ttl_hours * 3600
    try:
        payload = _serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    return payload["user"], str(payload.get("fp"))


def token_matches(user: User, fingerprint: str) -> bool:
    return _password_fingerprint(user) == fingerprint
