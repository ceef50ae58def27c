"""What every courses endpoint needs: the course as the caller may see it, and the language."""

from __future__ import annotations

from collections.abc import Iterable

from elearn import policy
from elearn.accounts.models import User
from elearn.courses.models import Course
from elearn.courses.service import authoring


def visible_course(actor: User, course: Course) -> Course:
    """``course`` if ``actor`` may see it; 404 otherwise (a draft's existence is not revealed)."""
    policy.authorize(policy.courses.visible.check(actor, course), hide=True, what="course")
    return course


def editable_course(actor: User, course_id: int) -> Course:
    """The course if ``actor`` may edit it: 404 when they cannot see it, 403 when only see it."""
    course = visible_course(actor, authoring.find_course(course_id))
    policy.authorize(policy.courses.edit.check(actor, course))
    return course


def language_headers(languages: Iterable[str]) -> dict[str, str]:
    """``Content-Language`` naming the languages a response uses, and ``Vary`` on the request's."""
    used = list(dict.fromkeys(languages))
    headers = {"Vary": "Accept-Language"}
    if used:
        headers["Content-Language"] = ", ".join(used)
    return headers
