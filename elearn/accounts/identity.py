"""Who is calling: session cookie or bearer token, and the CSRF rule for cookie sessions.

Cookie-authenticated requests with an unsafe method must send ``Content-Type:
application/json`` (file uploads: ``multipart/form-data`` plus an ``X-Requested-With`` header).
Browsers cannot send either cross-site without a CORS preflight (which this API never grants),
so a forged form or image request is refused with 415 before it acts.

A cookie session names the user's session version: logout, a password change and deactivation
bump it, so every earlier cookie stops working. A session also ends when idle for
``ELEARN_SESSION_IDLE_MINUTES`` or ``ELEARN_SESSION_LIFETIME_HOURS`` after login.

Authenticating is one indexed query (token or session user, with administration and roles).
Views that need only facts about the caller skip even that with ``about_caller``: what a bearer
token said about its holder is remembered by the process until the holder's account changes
(the ``accounts`` topic of ``elearn.infra.change_feed``, keyed by user id; a change to an
administration forgets every holder). A revocation, deactivation, role or profile change is
therefore seen by every process before its next reuse, not a moment later; an expired token is
refused on reuse too. ``caller_id``, for views that need only the caller's id, reads a token the
process has not met without loading the account (``tokens.holder_of_secret``). Views that act
on the account's rows use ``current_actor()``, which always reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar, cast

from flask import Flask, current_app, g, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import event
from sqlalchemy.orm import Session, joinedload

from elearn import clock, negotiation, request_hooks
from elearn.accounts import tokens
from elearn.accounts.models import Administration, ApiToken, User, UserRole
from elearn.config import current_settings
from elearn.errors import Unauthenticated
from elearn.extensions import db, login_manager
from elearn.http_cache import Remembered
from elearn.infra import change_feed
from elearn.uow import SAFE_METHODS

# When the cookie session started and was last used (POSIX seconds, by the application clock).
STARTED_AT, SEEN_AT = "started_at", "seen_at"
ACCOUNTS = "accounts"
REFUSED_TOKEN = "The token is invalid, expired or revoked."  # noqa: S105 - a message

T = TypeVar("T")


@dataclass(frozen=True)
class Held(Generic[T]):
    """What a token said about its holder, with what its reuse must check."""

    user_id: int
    token: tokens.TokenUse
    facts: T


# Per token and facts asked (a few per token): room for tens of thousands of active callers.
_held: Remembered[Held[Any]] = Remembered(ACCOUNTS, key_of=lambda held: held.user_id, size=131_072)


def _bearer_secret() -> str | None:
    return _secret_of(request.headers.get("Authorization", ""))


def _secret_of(authorization: str) -> str | None:
    """The secret of an ``Authorization: Bearer`` header; None for any other."""
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip() or None


@login_manager.user_loader
def _load_session_user(identity: str) -> User | None:
    if "Authorization" in request.headers:
        return None
    user_id, _, version = identity.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    if not _session_is_current():
        return None
    user = db.session.get(User, int(user_id), options=[joinedload(User.role_links)])
    if user is None or not user.active or user.session_version != int(version):
        return None
    session[SEEN_AT] = clock.now().timestamp()
    g.auth_method = "session"
    return user


def _session_is_current() -> bool:
    """Neither idle past ``ELEARN_SESSION_IDLE_MINUTES`` nor older than its absolute lifetime."""
    started, seen = session.get(STARTED_AT), session.get(SEEN_AT)
    if not isinstance(started, int | float) or not isinstance(seen, int | float):
        return False
    settings = current_settings()
    now = clock.now().timestamp()
    return (
        now - seen <= settings.session_idle_minutes * 60
        and now - started <= settings.session_lifetime_hours * 3600
    )


@login_manager.request_loader
def _load_token_user(_request: object) -> User | None:
    secret = _bearer_secret()
    if secret is None:
        return None
    token = tokens.token_for_secret(secret)
    if token is None:
        return None
    g.auth_method, g.token_use = "token", tokens.TokenUse.of(token)
    return token.user


@login_manager.unauthorized_handler
def _unauthorized() -> None:
    raise Unauthenticated("Authentication required.")


def current_actor() -> User:
    """The authenticated user; 401 when there is none."""
    if not current_user.is_authenticated:
        if "Authorization" in request.headers:
            raise Unauthenticated(REFUSED_TOKEN)
        raise Unauthenticated("Authentication required.")
    user: User = current_user._get_current_object()
    return user


def optional_actor() -> User | None:
    return current_actor() if current_user.is_authenticated else None


def about_caller(facts: Callable[[User], T]) -> T:
    """``facts(current_actor())``; with a bearer token, as this process computed it before,
    unless the holder's account has changed since (see the module docstring)."""
    return _remembered_about_caller(facts, lambda: _hold(facts))


def caller_id() -> int:
    """The caller's user id, as ``about_caller`` knows it; a token this process has not met
    is read without loading the account."""
    return _remembered_about_caller(_id_of, _hold_id)


def _remembered_about_caller(facts: Callable[[User], T], hold: Callable[[], Held[T]]) -> T:
    secret = _bearer_secret()
    if secret is None:
        return facts(current_actor())
    held = _held.get((tokens.digest(secret), facts), hold)
    if not _reused(held):
        return facts(current_actor())
    g.auth_method = "token"
    return cast(T, held.facts)


def token_holder_id(authorization: str) -> int | None:
    """``caller_id`` for an ``Authorization`` header, for requests served outside Flask's
    pipeline: a bearer token's holder's id, its use recorded; None for any other header, or a
    token invalid, expired or revoked (the request must then be authenticated in full)."""
    secret = _secret_of(authorization)
    if secret is None:
        return None
    try:
        held = _held.get((tokens.digest(secret), _id_of), lambda: _holding_id(secret))
    except Unauthenticated:
        return None
    return held.user_id if _reused(held) else None


def _reused(held: Held[Any]) -> bool:
    """Whether the token may be reused unread (unexpired); if so its use is recorded."""
    if held.token.expired():
        return False
    tokens.record_use(held.token)
    return True


def _id_of(user: User) -> int:
    return user.id


def caller_language() -> str | None:
    """The signed-in caller's language, as ``about_caller`` knows it; None when nobody is
    signed in (an invalid token is refused by whatever needs a caller, not here)."""
    if _bearer_secret() is None:
        return current_user.language if current_user.is_authenticated else None
    try:
        return about_caller(_language_of)
    except Unauthenticated:
        return None


def _language_of(user: User) -> str:
    return user.language


def _hold(facts: Callable[[User], T]) -> Held[T]:
    user = current_actor()
    return Held(user.id, g.token_use, facts(user))


def _hold_id() -> Held[int]:
    return _holding_id(_bearer_secret() or "")


def _holding_id(secret: str) -> Held[int]:
    holder = tokens.holder_of_secret(secret)
    if holder is None:
        raise Unauthenticated(REFUSED_TOKEN)
    return Held(holder.user_id, holder.use, holder.user_id)


def _note_account_changes(session: Session, _context: object) -> None:
    users: set[int] = set()
    for row in (*session.new, *session.deleted, *session.dirty):
        if isinstance(row, Administration):
            change_feed.changed(session, ACCOUNTS)
            return
        if isinstance(row, User):
            users.add(row.id)
        elif isinstance(row, UserRole | ApiToken):
            users.add(row.user_id)
    if users:
        change_feed.changed(session, ACCOUNTS, users)


def _write_noted_token_uses(_error: BaseException | None) -> None:
    """After the request's own transaction: the token uses this process noted, once the first
    has waited ``ELEARN_TOKEN_USE_WRITE_SECONDS`` (on a connection of its own)."""
    tokens.write_noted_uses(timedelta(seconds=current_settings().token_use_write_seconds))


def start_session(user: User) -> None:
    login_user(user)
    session[STARTED_AT] = session[SEEN_AT] = clock.now().timestamp()
    g.auth_method = "session"


def end_session() -> None:
    logout_user()


def unsafe_request_refusal() -> str | None:
    """Why this request must be refused with 415 (CSRF defence, see module docstring), naming
    what it lacks; None when it may go on."""
    if request.method in SAFE_METHODS or request.mimetype == "application/json":
        return None
    uses_bearer = _bearer_secret() is not None
    if request.mimetype == "multipart/form-data":
        if uses_bearer or "X-Requested-With" in request.headers:
            return None
        return (
            "A file upload signed in with a session cookie must also send an X-Requested-With "
            "header (any value)."
        )
    has_body = bool(request.content_length) or "Transfer-Encoding" in request.headers
    uses_cookie = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    if has_body or (uses_cookie and not uses_bearer):
        return "Send this request with Content-Type: application/json."
    return None


def _has_session() -> bool:
    """Whether this request has a cookie session: flask-login's remember-me cookie is about one
    (``REMEMBER_COOKIE_REFRESH_EACH_REQUEST`` is not set). Reading it, like flask-login's hook
    did, keeps ``Vary: Cookie`` on every answer."""
    return bool(session)


def init_app(app: Flask) -> None:
    negotiation.init_app(app, caller_language)
    request_hooks.run_hooks_only_when(app, lambda: login_manager.init_app(app), _has_session)
    login_manager.session_protection = "basic"
    # At the end of every application context: a request's, and a hot route's
    # (``elearn.hot_routes``), which has no request context.
    app.teardown_appcontext(_write_noted_token_uses)
    if not event.contains(Session, "after_flush", _note_account_changes):
        event.listen(Session, "after_flush", _note_account_changes)
