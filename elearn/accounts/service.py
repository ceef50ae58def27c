"""Administrations and people: creating, reading, editing, deactivating."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from elearn import policy
from elearn.accounts import passwords, signals
from elearn.accounts.models import Administration, Role, User
from elearn.audit import service as audit_log
from elearn.config import DEFAULT_LANGUAGES
from elearn.database import contains_text
from elearn.errors import Conflict, Invalid, NotFound, Unauthenticated
from elearn.extensions import db
from elearn.pagination import Page, PageRequest, fetch_page

log = logging.getLogger(__name__)
SetPasswordPurpose = Literal["welcome", "reset"]


def normalize_email(email: str) -> str:
    return email.strip().lower()


# administrations


@dataclass(frozen=True)
class AdministrationFilter:
    region: str | None = None
    active: bool | None = None
    search: str | None = None


def list_administrations(criteria: AdministrationFilter, page: PageRequest) -> Page[Administration]:
    """Administrations ordered by code; ``search`` matches the code or a name in any language."""
    statement = select(Administration).order_by(Administration.code)
    if criteria.region:
        statement = statement.where(Administration.region == criteria.region)
    if criteria.active is not None:
        statement = statement.where(Administration.active == criteria.active)
    if criteria.search:
        names = (Administration.names[lang].as_string() for lang in DEFAULT_LANGUAGES)
        columns = (Administration.code, *names)
        statement = statement.where(or_(*(contains_text(c, criteria.search) for c in columns)))
    return fetch_page(statement, page)


def get_administration(code: str) -> Administration:
    administration = db.session.scalar(
        select(Administration).where(Administration.code == code.upper())
    )
    if administration is None:
        raise NotFound(f"No administration with code {code!r}.")
    return administration


def create_administration(actor: User, values: Mapping[str, Any]) -> Administration:
    """A new administration; its code is unique."""
    code = values["code"].upper()
    if db.session.scalar(select(Administration.id).where(Administration.code == code)):
        raise Conflict(f"An administration with code {code} already exists.")
    administration = Administration(
        code=code,
        names=dict(values["names"]),
        region=values["region"],
        active=values.get("active", True),
    )
    db.session.add(administration)
    db.session.flush()
    audit_log.record(
        actor, "administration.created", "administration", code, administration_id=administration.id
    )
    return administration


def update_administration(
    actor: User, administration: Administration, changes: Mapping[str, Any]
) -> Administration:
    for name, value in changes.items():
        setattr(administration, name, dict(value) if name == "names" else value)
    audit_log.record(
        actor,
        "administration.updated",
        "administration",
        administration.code,
        administration_id=administration.id,
        fields=sorted(changes),
    )
    db.session.flush()
    return administration


# people


@dataclass(frozen=True)
class UserFilter:
    administration_code: str | None = None
    role: Role | None = None
    active: bool | None = None
    search: str | None = None


@dataclass(frozen=True)
class NewUser:
    email: str
    full_name: str
    language: str = "en"
    administration_code: str | None = None
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.TRAINEE}))
    password: str | None = None


def resolve_administration(code: str | None) -> Administration | None:
    """The administration with ``code``; an unknown code is a field error."""
    if code is None:
        return None
    administration = db.session.scalar(
        select(Administration).where(Administration.code == code.upper())
    )
    if administration is None:
        raise Invalid(
            "Unknown administration.",
            errors={"administration": [f"No administration with code {code!r}."]},
        )
    return administration


def list_users(actor: User, criteria: UserFilter, page: PageRequest) -> Page[User]:
    """The users ``actor`` may see, ordered by name then id."""
    statement = (
        select(User)
        .where(policy.accounts.user_visible.filter(actor))
        .order_by(User.full_name, User.id)
    )
    if criteria.administration_code:
        statement = statement.join(Administration).where(
            Administration.code == criteria.administration_code.upper()
        )
    if criteria.role is not None:
        statement = statement.where(User.role_links.any(role=criteria.role.value))
    if criteria.active is not None:
        statement = statement.where(User.active == criteria.active)
    if criteria.search:
        columns = (User.email, User.full_name)
        statement = statement.where(or_(*(contains_text(c, criteria.search) for c in columns)))
    return fetch_page(statement, page)


def find_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(actor: User | None, new: NewUser) -> User:
    """A new account; without a password the person receives a set-password link."""
    administration = resolve_administration(new.administration_code)
    email = normalize_email(new.email)
    if find_user_by_email(email) is not None:
        raise Conflict("A user with this email already exists.", errors={"email": ["taken"]})
    user = User(
        email=email,
        full_name=new.full_name.strip(),
        language=new.language,
        administration=administration,
        password_hash=passwords.hash_password(new.password) if new.password else None,
    )
    user.roles = new.roles
    db.session.add(user)
    _flush_unique_email()
    audit_log.record(
        actor,
        "user.created",
        "user",
        user.id,
        administration_id=user.administration_id,
        roles=sorted(user.roles),
    )
    if user.password_hash is None:
        send_set_password_link(user, purpose="welcome")
    if user.administration_id is not None:
        signals.user_joined_administration.send(user)
    return user


def _flush_unique_email() -> None:
    """Flush; a concurrent request that took the same email loses with a 409, not a 500."""
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(
            "A user with this email already exists.", errors={"email": ["taken"]}
        ) from None


def update_user(actor: User, user: User, changes: Mapping[str, Any]) -> User:
    """Apply an admin's or contact point's changes; every change is audited."""
    if "email" in changes:
        email = normalize_email(changes["email"])
        other = find_user_by_email(email)
        if other is not None and other.id != user.id:
            raise Conflict("A user with this email already exists.", errors={"email": ["taken"]})
        user.email = email
    joined = False
    if "administration_code" in changes:
        administration = resolve_administration(changes["administration_code"])
        joined = administration is not None and administration.id != user.administration_id
        user.administration = administration
        user.administration_id = administration.id if administration else None
    for name in ("full_name", "language"):
        if name in changes:
            setattr(user, name, changes[name])
    if "roles" in changes and frozenset(changes["roles"]) != user.roles:
        before = sorted(user.roles)
        user.roles = frozenset(changes["roles"])
        audit_log.record(
            actor,
            "user.roles_changed",
            "user",
            user.id,
            administration_id=user.administration_id,
            before=before,
            after=sorted(user.roles),
        )
    if "active" in changes and changes["active"] != user.active:
        user.active = changes["active"]
        if not user.active:
            user.session_version += 1
        audit_log.record(
            actor,
            "user.deactivated" if not user.active else "user.reactivated",
            "user",
            user.id,
            administration_id=user.administration_id,
        )
    edited = {"administration" if name == "administration_code" else name for name in changes}
    if plain := sorted(edited - {"roles", "active"}):
        audit_log.record(
            actor,
            "user.updated",
            "user",
            user.id,
            administration_id=user.administration_id,
            fields=plain,
        )
    _flush_unique_email()
    if joined:
        signals.user_joined_administration.send(user)
    return user


def update_profile(user: User, changes: Mapping[str, Any]) -> User:
    """A user's own changes; a new password needs the current one."""
    if "new_password" in changes:
        if not passwords.verify_password(user, changes.get("current_password") or ""):
            raise Invalid(
                "The current password is wrong.",
                errors={"current_password": ["Does not match."]},
            )
        _set_password(user, changes["new_password"])
        audit_log.record(user, "user.password_changed", "user", user.id)
    for name in ("full_name", "language"):
        if name in changes:
            setattr(user, name, changes[name])
    db.session.flush()
    return user


def _set_password(user: User, password: str) -> None:
    user.password_hash = passwords.hash_password(password)
    user.session_version += 1


def request_password_reset(email: str) -> None:
    """Send a set-password link if the account exists and is active; say nothing either way."""
    user = find_user_by_email(email)
    if user is not None and user.active:
        send_set_password_link(user, purpose="reset")


def set_password_with_token(token: str, password: str) -> User:
    """Use a one-time link: it works once, before it expires, for an active account."""
    claim = passwords.read_set_password_token(token)
    user = db.session.get(User, claim[0]) if claim else None
    if (
        claim is None
        or user is None
        or not user.active
        or not passwords.token_matches(user, claim[1])
    ):
        raise Unauthenticated("This link is invalid, expired or already used.")
    _set_password(user, password)
    audit_log.record(user, "user.password_set", "user", user.id)
    db.session.flush()
    return user


def send_set_password_link(user: User, *, purpose: SetPasswordPurpose) -> None:
    """Ask, in this transaction, for a set-password link to be mailed to ``user``.

    The link's token is made when the mail is rendered (so it is never stored); the
    notifications domain subscribes to the signal and owns the mail.
    """
    signals.set_password_link_requested.send(user, purpose=purpose)
    log.info("set-password link (%s) requested for user %s", purpose, user.id)
