"""What every courses endpoint needs: the course as the caller may see it, and the language;
and the pages of a course that all who see it without editing it see alike."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from flask import Response, g, jsonify, request

from elearn import policy
from elearn.accounts.identity import about_caller, current_actor
from elearn.accounts.models import User
from elearn.courses.models import Course
from elearn.courses.queries import catalogue
from elearn.courses.queries import read_models as views
from elearn.courses.service import authoring
from elearn.http_cache import RepresentationCache, exact_request
from elearn.json_encoding import plain
from elearn.negotiation import requested_language

# A course's detail and lessons as non-editors see them, per process.
course_pages = RepresentationCache(size=2048)


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


def sighting() -> catalogue.Sighting:
    """The caller's sighting of the request's course (404 when they may not see it), read once
    per request: the page's cache key and, on a miss, the view both need it."""
    found: catalogue.Sighting | None = g.get("course_sighting")
    if found is None:
        course_id = int((request.view_args or {})["course_id"])
        scope = about_caller(policy.courses.catalogue_scope)
        found = catalogue.remembered_sighting(scope, course_id, current_actor)
        g.course_sighting = found
    return found


def course_page_key() -> Hashable | None:
    """For a non-editor: the exact request, its language and the course's version (any change
    to the course, its outline or lessons renews it); None for editors, whose pages differ.
    404 when the caller may not see the course."""
    seen = sighting()
    if seen.editor:
        return None
    return exact_request(), requested_language(request.args.get("lang")), seen.card_version


def shared_page(view: views.CourseDetail | views.LessonContent) -> tuple[Response, dict[str, str]]:
    """A page as non-editors see it, read from Core rows (``queries.pages``): dumped as its
    schema would dump it, without the schema."""
    return jsonify(plain(view)), language_headers([view.language])
