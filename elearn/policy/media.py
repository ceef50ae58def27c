"""Media assets of a course."""

from __future__ import annotations

from elearn.accounts.models import User
from elearn.courses.models import Course
from elearn.policy import courses

# Uploading, completing, listing and attaching a course's media: its editors.
manage = courses.edit


def can_download(actor: User, course: Course, *, used_in_a_lesson: bool) -> bool:
    """Editors fetch any of their course's media; others what a lesson they can see shows."""
    return courses.edit.check(actor, course) or (
        used_in_a_lesson and courses.visible.check(actor, course)
    )
