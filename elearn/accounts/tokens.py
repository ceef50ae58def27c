"""Personal access tokens: created with a secret shown once, stored as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from elearn import clock
from elearn.accounts.models import ApiToken, User
from elearn.audit import service as audit_log
from elearn.errors import Conflict, Invalid, NotFound
from elearn.extensions import db
from elearn.http_cache import LeastRecentlyUsed

TOKEN_PREFIX = "elp_"  # noqa: S105 - marks secrets for scanners, not a secret
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_ACTIVE_TOKENS = 20


def digest(secret: str) -> str:
    # The secret carries 256 random bits, so a fast hash is as strong as a slow one here.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str, expires_at: datetime | None) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is never stored or shown again."""
    now = clock.now()
    if expires_at is not None and expires_at <= now:
        raise Invalid(
            "The expiry is in the past.", errors={"expires_at": ["Must be in the future."]}
        )
    if len(active_tokens(user)) >= MAX_ACTIVE_TOKENS:
        raise Conflict(f"At most {MAX_ACTIVE_TOKENS} active tokens; revoke one first.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip(),
        token_hash=digest(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        created_at=now,
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    audit_log.record(user, "token.created", "api_token", token.id, name=token.name)
    return token, secret


def active_tokens(user: User) -> list[ApiToken]:
    """The user's tokens that are neither revoked nor expired, newest first."""
    now = clock.now()
    tokens = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return [token for token in tokens if token.expires_at is None or token.expires_at > now]


def revoke_token(user: User, token_id: int) -> None:
    """Revoke one of the user's own tokens; another user's token does not exist for them."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound("No such token.")
    token.revoked_at = clock.now()
    audit_log.record(user, "token.revoked", "api_token", token.id, name=token.name)
    db.session.flush()


def revoke_all_tokens(user: User) -> int:
    """Revoke every token of ``user`` still in force (on deactivation: reactivating the account
    must not bring them back); the number revoked."""
    now = clock.now()
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        token.revoked_at = now
    return len(tokens)


def token_for_secret(secret: str) -> ApiToken | None:
    """The valid token of an active user, with its holder loaded; records that it was used."""
    # One round trip for token, user, administration and roles: this runs on every request.
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == digest(secret))
        .options(joinedload(ApiToken.user).joinedload(User.role_links))
    )
    now = clock.now()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if _use_is_due(token.token_hash, token.last_used_at, now):
        token.last_used_at = now
    return token


@dataclass(frozen=True)
class TokenUse:
    """What reusing a token's authentication must still check and record."""

    token_id: int
    token_hash: str
    expires_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenUse:
        return cls(token.id, token.token_hash, token.expires_at, token.last_used_at)

    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= clock.now()


# When this process last recorded each token's use, by token hash.
_recorded_uses: LeastRecentlyUsed[datetime] = LeastRecentlyUsed(size=65_536)


def record_use(use: TokenUse) -> None:
    """Record that the token is used now, at most once per ``LAST_USED_RESOLUTION``: one
    UPDATE when due, no statement otherwise."""
    now = clock.now()
    if not _use_is_due(use.token_hash, use.last_used_at, now):
        return
    db.session.execute(update(ApiToken).where(ApiToken.id == use.token_id).values(last_used_at=now))


def _use_is_due(token_hash: str, last_used_at: datetime | None, now: datetime) -> bool:
    recorded = max(filter(None, (last_used_at, _recorded_uses.get(token_hash))), default=None)
    if recorded is not None and timedelta(0) <= now - recorded < LAST_USED_RESOLUTION:
        return False
    _recorded_uses.put(token_hash, now)
    return True
