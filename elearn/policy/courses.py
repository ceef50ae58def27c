"""Courses: who edits them and who sees them in the catalogue."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from elearn.accounts.models import Role, User
from elearn.courses.models import Course, CourseStatus
from elearn.policy.accounts import is_admin
from elearn.policy.rules import (
    ADMIN,
    TRAINER,
    AdmitsActor,
    ColumnIn,
    Generator,
    Permission,
    Rule,
)


class OwnsCourse(Generator[Course]):
    """The actor owns or co-owns the course."""

    def allows(self, actor: User, record: Course) -> bool:
        return actor.id in record.owner_ids

    def where(self, actor: User) -> ColumnElement[bool]:
        return Course.owner_links.any(user_id=actor.id)


PUBLISHED = ColumnIn(Course.status, {CourseStatus.PUBLISHED})
OPEN_TO_ACTOR = AdmitsActor(Course)

create = Permission(TRAINER | ADMIN)

# The courses the actor owns or co-owns ("my courses" in the catalogue).
owned = Rule("courses.owned", Course, OwnsCourse())

# Admins edit any course; trainers the courses they own or co-own.
edit = Rule("courses.edit", Course, ADMIN | TRAINER & owned.allow)

# Editors see every state; others a published course open to their administration.
visible = Rule("courses.visible", Course, edit.allow | PUBLISHED & OPEN_TO_ACTOR)


def can_own_courses(user: User) -> bool:
    """Whether ``user`` may be named an owner: an active trainer."""
    return user.active and user.has_role(Role.TRAINER)


def catalogue_scope(actor: User) -> tuple[object, ...]:
    """Everything about ``actor`` that ``visible.filter`` depends on (a cache key part)."""
    if is_admin(actor):
        return ("admin",)
    if actor.has_role(Role.TRAINER):
        return ("trainer", actor.id, actor.administration_id)
    return ("member", actor.administration_id)
