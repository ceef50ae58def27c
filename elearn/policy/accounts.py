"""Administrations and people: who sees and manages whom."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement

from elearn.accounts.models import Administration, Role, User, UserRole
from elearn.policy.rules import (
    ADMIN,
    CONTACT_POINT,
    IN_AN_ADMINISTRATION,
    Generator,
    Permission,
    Rule,
    contact_point_of,
    person,
)

CONTACT_POINT_GRANTABLE_ROLES = frozenset({Role.TRAINEE})
CONTACT_POINT_EDITABLE_FIELDS = frozenset({"full_name", "language", "active"})


CONTACT_POINT_OF_THE_USER = contact_point_of(User.administration_id)


class HoldsOnlyRoles(Generator[User]):
    """The user holds no role outside ``roles`` (whoever asks)."""

    def __init__(self, roles: frozenset[Role]) -> None:
        self.roles = roles

    def allows(self, actor: User, record: User) -> bool:
        return record.roles <= self.roles

    def where(self, actor: User) -> ColumnElement[bool]:
        return ~User.role_links.any(UserRole.role.not_in(sorted(self.roles)))


manage_administrations = Permission(ADMIN)

# Lists of people are for admins and contact points; what each sees is ``user_visible``.
list_users = Permission(ADMIN | CONTACT_POINT)

# Admins and contact points (of their administration) read about people of administrations.
oversees_people = Permission(ADMIN | CONTACT_POINT & IN_AN_ADMINISTRATION)

user_visible = Rule(
    "accounts.user_visible",
    User,
    person(User.id) | ADMIN | CONTACT_POINT_OF_THE_USER,
)

# Admins manage anyone; a contact point their own administration's trainees.
user_managed = Rule(
    "accounts.user_managed",
    User,
    ADMIN | CONTACT_POINT_OF_THE_USER & HoldsOnlyRoles(CONTACT_POINT_GRANTABLE_ROLES),
)

# The administrations whose people's enrolments, reports and certificates the actor reads.
administration_people = Rule(
    "accounts.administration_people",
    Administration,
    ADMIN | contact_point_of(Administration.id),
)


def is_admin(actor: User) -> bool:
    return ADMIN.allows(actor, None)


def can_create_user(
    actor: User, administration: Administration | None, roles: Iterable[Role]
) -> bool:
    """Admins create anyone; a contact point trainees of their own administration."""
    if is_admin(actor):
        return True
    return (
        administration is not None
        and administration_people.check(actor, administration)
        and set(roles) <= CONTACT_POINT_GRANTABLE_ROLES
    )


def can_edit_user(actor: User, user: User, fields: Iterable[str]) -> bool:
    """Admins edit anyone; a contact point name, language and active of own trainees."""
    return user_managed.check(actor, user) and (
        is_admin(actor) or set(fields) <= CONTACT_POINT_EDITABLE_FIELDS
    )
