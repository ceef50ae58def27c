"""Personal access tokens: created with a secret shown once, stored as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload

from elearn import clock
from elearn.accounts.models import ApiToken, User
from elearn.audit import service as audit_log
from elearn.database import connection_of_its_own
from elearn.driver_reads import DriverRead
from elearn.errors import Conflict, Invalid, NotFound
from elearn.extensions import db
from elearn.http_cache import LeastRecentlyUsed

log = logging.getLogger(__name__)

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
    """The valid token of an active user, with its holder loaded; notes that it was used."""
    # One round trip for token, user, administration and roles: this runs on every request.
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == digest(secret))
        .options(joinedload(ApiToken.user).joinedload(User.role_links))
    )
    if token is None:
        return None
    use = TokenUse.of(token)
    if not _in_force(use, token.revoked_at, token.user.active):
        return None
    record_use(use)
    return token


@dataclass(frozen=True)
class Holder:
    """Whose a token is, and what reusing it must still check and record."""

    user_id: int
    use: TokenUse


def holder_of_secret(secret: str) -> Holder | None:
    """The holder of a valid token of an active user, read on the driver with no account
    loaded (one indexed statement); notes that the token was used."""
    row = _HOLDER.row({"token_hash": digest(secret)})
    if row is None:
        return None
    token_id, token_hash, expires_at, last_used_at, revoked_at, user_id, active = row
    use = TokenUse(token_id, token_hash, expires_at, last_used_at)
    if not _in_force(use, revoked_at, active):
        return None
    record_use(use)
    return Holder(user_id, use)


_HOLDER = DriverRead(
    select(
        ApiToken.id,
        ApiToken.token_hash,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        ApiToken.revoked_at,
        User.id.label("user_id"),
        User.active,
    )
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def _in_force(use: TokenUse, revoked_at: datetime | None, holder_active: bool) -> bool:
    return revoked_at is None and holder_active and not use.expired()


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


# When this process last noted each token's use, by token hash; the uses it has not written
# yet, by token id.
_recorded_uses: LeastRecentlyUsed[datetime] = LeastRecentlyUsed(size=65_536)
_noted_uses: LeastRecentlyUsed[datetime] = LeastRecentlyUsed(size=65_536)


def record_use(use: TokenUse) -> None:
    """Note that the token is used now, at most once per ``LAST_USED_RESOLUTION``; the request
    runs no statement for it (``write_noted_uses`` writes the uses noted, later and together)."""
    now = clock.now()
    if _use_is_due(use.token_hash, use.last_used_at, now):
        _noted_uses.put(use.token_id, now)


def write_noted_uses(wait: timedelta) -> None:
    """Write the token uses this process noted, in one statement, once the first of them has
    waited ``wait``; nothing before. A token row another transaction holds keeps its earlier
    time rather than make this wait, and a lost database loses the uses noted: a last use is a
    hint to its holder, to the minute."""
    first = _noted_uses.oldest()
    if first is None or timedelta(0) <= clock.now() - first < wait:
        return
    used_at = _noted_uses.take()
    if not used_at:  # another thread took them first
        return
    try:
        with connection_of_its_own() as connection:
            connection.execute(
                _WRITE_USE,
                [{"token_id": token_id, "used_at": moment} for token_id, moment in used_at.items()],
            )
    except SQLAlchemyError:
        log.warning("the last uses of %d tokens were not written", len(used_at), exc_info=True)


_TOKENS = cast(Table, ApiToken.__table__)
_UNHELD = _TOKENS.alias("unheld")
_WRITE_USE = (
    update(_TOKENS)
    .where(
        _TOKENS.c.id.in_(
            select(_UNHELD.c.id)
            .where(_UNHELD.c.id == bindparam("token_id"))
            .with_for_update(skip_locked=True)
        )
    )
    .values(last_used_at=bindparam("used_at"))
)


def _use_is_due(token_hash: str, last_used_at: datetime | None, now: datetime) -> bool:
    recorded = max(filter(None, (last_used_at, _recorded_uses.get(token_hash))), default=None)
    if recorded is not None and timedelta(0) <= now - recorded < LAST_USED_RESOLUTION:
        return False
    _recorded_uses.put(token_hash, now)
    return True
