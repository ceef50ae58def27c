"""Who may do what. Every endpoint asks one of these rules; nothing decides ad hoc.

One module per domain. A record rule (``policy.courses.visible``) is one object with
``check(actor, record)`` for one record and ``filter(actor)``, the same rule as a SQL condition
for a list, built from the generators of ``rules``; a ``Permission`` is about the actor alone.
``authorize`` turns a refusal into 403, or into 404 where revealing that the object exists would
leak (another administration's people).
"""

from __future__ import annotations

from elearn.errors import Forbidden, NotFound
from elearn.policy import (
    accounts,
    admission,
    assignments,
    audit,
    certificates,
    courses,
    enrolments,
    media,
    notifications,
    officer_reports,
    quizzes,
    reports,
)
from elearn.policy.rules import RULES, Permission, Rule, actor_parameters

__all__ = [
    "RULES",
    "Permission",
    "Rule",
    "accounts",
    "actor_parameters",
    "admission",
    "assignments",
    "audit",
    "authorize",
    "certificates",
    "courses",
    "enrolments",
    "media",
    "notifications",
    "officer_reports",
    "quizzes",
    "reports",
]


def authorize(allowed: bool, *, hide: bool = False, what: str = "resource") -> None:
    """Raise Forbidden (or NotFound when ``hide``) unless ``allowed``."""
    if allowed:
        return
    if hide:
        raise NotFound(f"No such {what}.")
    raise Forbidden("You are not allowed to do this.")
