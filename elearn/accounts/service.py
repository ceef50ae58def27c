"""People: creating, reading, editing, deactivating, and their passwords."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from elearn import policy
from elearn.accounts import headcounts, passwords, signals, tokens
from elearn.accounts.models import Administration, Role, User, UserRole
from elearn.audit import service as audit_log
from elearn.database import changed_since, contains_text, values_of
from elearn.errors import Conflict, Invalid, NotFound, Unauthenticated
from elearn.extensions import db
from elearn.infra import outbox
from elearn.pagination import Page, PageRequest, fetch_page

log = logging.getLogger(__name__)
SetPasswordPurpose = Literal["welcome", "reset"]
PASSWORD_RESET_TASK = "elearn.accounts.send_password_reset"  # noqa: S105 - a task name


def normalize_email(email: str) -> str:
    return email.strip().lower()


# people


@dataclass(frozen=True)
class UserFilter:
    administration_code: str | None = None
    role: Role | None = None
    active: bool | None = None
    search: str | None = None
    personnel_number: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class NewUser:
    email: str
    full_name: str
    language: str = "en"
    administration_code: str | None = None
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.TRAINEE}))
    password: str | None = None
    personnel_number: str | None = None
    unit: str | None = None


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
    if criteria.personnel_number:
        statement = statement.where(User.personnel_number == criteria.personnel_number)
    if criteria.unit:
        statement = statement.where(User.unit == criteria.unit)
    if criteria.search:
        columns = (User.email, User.full_name, User.personnel_number)
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
    ensure_personnel_number_free(administration, new.personnel_number)
    user = User(
        email=email,
        full_name=new.full_name.strip(),
        language=new.language,
        administration=administration,
        personnel_number=new.personnel_number,
        unit=new.unit,
        password_hash=passwords.hash_password(new.password) if new.password else None,
    )
    user.roles = new.roles
    db.session.add(user)
    _flush_unique()
    headcounts.count(None, headcounts.standing(user))
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
        signals.administration_changed.send(user.id, before=None, after=user.administration_id)
    return user


def _ensure_an_admin_remains(user: User, changes: Mapping[str, Any]) -> None:
    """Refuse (409) to deactivate or demote the last active admin, who could not undo it.

    The active admins' rows are locked in id order, so that two admins demoting each other at
    once take turns and the second is refused.
    """
    demoted = "roles" in changes and Role.ADMIN not in changes["roles"]
    deactivated = changes.get("active") is False
    if not (demoted or deactivated) or not (user.active and user.has_role(Role.ADMIN)):
        return
    admins = db.session.scalars(
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMIN, User.active.is_(True))
        .order_by(User.id)
        .with_for_update()
    ).all()
    if set(admins) <= {user.id}:
        raise Conflict(
            "This is the last active admin; make another admin first.",
            errors={"roles" if demoted else "active": ["The last active admin."]},
        )


def ensure_personnel_number_free(
    administration: Administration | None, number: str | None, *, holder: User | None = None
) -> None:
    """Raise Conflict when someone else in ``administration`` already has personnel ``number``."""
    if number is None or administration is None:
        return
    other = personnel_number_holder(administration.id, number)
    if other is not None and other != holder:
        raise Conflict(
            f"Personnel number {number} is already used by another officer of"
            f" {administration.code}.",
            errors={"personnel_number": ["taken"]},
        )


def personnel_number_holder(administration_id: int, number: str) -> User | None:
    return db.session.scalar(
        select(User).where(
            User.administration_id == administration_id, User.personnel_number == number
        )
    )


def _flush_unique() -> None:
    """Flush; a concurrent request that took the same email or personnel number loses with a
    409, not a 500."""
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(
            "Another user has this email, or this personnel number in the administration.",
            errors={"email": ["taken?"], "personnel_number": ["taken?"]},
        ) from None


# The request names the administration by code; the audit names the field "administration".
USER_ATTRIBUTE = {"administration_code": "administration_id"}
AUDITED_AS = {"administration_id": "administration"}


def update_user(actor: User, user: User, changes: Mapping[str, Any]) -> User:
    """Apply an admin's or contact point's changes; every change is audited."""
    counted = headcounts.standing(user)
    previous, previous_unit = user.administration_id, user.unit
    audited = {USER_ATTRIBUTE.get(name, name) for name in changes} - {"roles", "active"}
    previous_values = values_of(user, audited)
    if "email" in changes:
        email = normalize_email(changes["email"])
        other = find_user_by_email(email)
        if other is not None and other.id != user.id:
            raise Conflict("A user with this email already exists.", errors={"email": ["taken"]})
        user.email = email
    if "administration_code" in changes:
        administration = resolve_administration(changes["administration_code"])
        user.administration = administration
        user.administration_id = administration.id if administration else None
    if "personnel_number" in changes or "administration_code" in changes:
        number = changes.get("personnel_number", user.personnel_number)
        ensure_personnel_number_free(user.administration, number, holder=user)
    for name in ("full_name", "language", "time_zone", "personnel_number", "unit"):
        if name in changes:
            setattr(user, name, changes[name])
    _ensure_an_admin_remains(user, changes)
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
        details: dict[str, Any] = {}
        if not user.active:
            end_sessions(user)
            details["tokens_revoked"] = tokens.revoke_all_tokens(user)
        audit_log.record(
            actor,
            "user.deactivated" if not user.active else "user.reactivated",
            "user",
            user.id,
            administration_id=user.administration_id,
            **details,
        )
    if plain := sorted(AUDITED_AS.get(name, name) for name in changed_since(user, previous_values)):
        audit_log.record(
            actor,
            "user.updated",
            "user",
            user.id,
            administration_id=user.administration_id,
            fields=plain,
        )
    _flush_unique()
    headcounts.count(counted, headcounts.standing(user))
    if user.administration_id != previous:
        signals.administration_changed.send(user.id, before=previous, after=user.administration_id)
    if user.unit != previous_unit:
        signals.unit_changed.send(user.id, before=previous_unit, after=user.unit)
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
    for name in ("full_name", "language", "time_zone"):
        if name in changes:
            setattr(user, name, changes[name])
    db.session.flush()
    return user


def _set_password(user: User, password: str) -> None:
    user.password_hash = passwords.hash_password(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """End every cookie session of ``user``: a replayed cookie no longer signs anyone in.

    Sessions are signed cookies naming the user's session version, so logging out on one
    device ends them on every device (tokens are revoked one by one, or on deactivation).
    """
    user.session_version += 1


def request_password_reset(email: str) -> None:
    """Queue a reset for any address, known or not: the request does the same work either way,
    so neither its answer nor its timing tells whether an account exists. The task decides."""
    outbox.enqueue(PASSWORD_RESET_TASK, email=normalize_email(email))


def send_password_reset(email: str) -> None:
    """Send a set-password link if ``email`` has an active account; nothing otherwise."""
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
