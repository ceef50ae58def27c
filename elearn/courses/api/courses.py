"""Catalogue and course endpoints: list, read, create, edit, owners, publication lifecycle."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from flask import request
from flask.views import MethodView

from elearn import policy
from elearn.accounts.identity import about_caller, current_actor
from elearn.accounts.models import User
from elearn.courses.api.access import (
    course_page_key,
    course_pages,
    editable_course,
    language_headers,
    shared_page,
    sighting,
    visible_course,
)
from elearn.courses.models import Course
from elearn.courses.queries import catalogue, pages
from elearn.courses.queries import read_models as views
from elearn.courses.schemas import (
    CatalogueArgs,
    CourseCardSchema,
    CourseCreateSchema,
    CourseDetailSchema,
    CourseUpdateSchema,
    LanguageArgs,
    OwnerAddSchema,
    OwnerSchema,
)
from elearn.courses.service import authoring
from elearn.http_cache import RepresentationCache, cached, conditional, exact_request
from elearn.inputs import Blueprint
from elearn.negotiation import requested_language, requested_or_own_language
from elearn.pagination import paginated

courses_blp = Blueprint(
    "courses", __name__, url_prefix="/api/v1/courses", description="Catalogue and courses"
)

Detail = tuple[views.CourseDetail, dict[str, str]]


def _detail(actor: User, course: Course, language: str | None) -> Detail:
    view = views.course_detail(course, language, editor=policy.courses.edit.check(actor, course))
    return view, language_headers([view.language])


def _changed(actor: User, course: Course) -> Detail:
    """The detail of a course just changed, as its editor sees it."""
    return _detail(actor, catalogue.load_course(course.id, outline=True), requested_language())


catalogue_pages = RepresentationCache()


def _viewer(actor: User) -> tuple[tuple[object, ...], int, str]:
    """What the catalogue depends on about the caller: what they may see, who they are (their
    own courses) and their language (when the request names none)."""
    return policy.courses.catalogue_scope(actor), actor.id, actor.language


def _catalogue_key() -> Hashable:
    """Who may see what, the exact request, and the state of every course card."""
    scope, actor_id, own_language = about_caller(_viewer)
    personal = actor_id if "owned" in request.args else None
    language = requested_or_own_language(own_language, request.args.get("lang"))
    return (scope, personal, exact_request(), language, catalogue.fingerprint())


@courses_blp.route("")
class Courses(MethodView):
    @conditional
    @cached(catalogue_pages, _catalogue_key)
    @courses_blp.arguments(CatalogueArgs, location="query")
    @courses_blp.response(200, CourseCardSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """The catalogue: courses the caller may see, searchable, filtered, in a stable order."""
        actor = current_actor()
        language = requested_language(args["lang"])
        page = catalogue.list_courses(actor, args["criteria"], language, args["page_request"])
        items, headers = paginated(page)
        used = [card.language for card in page.items] or ([language] if language else [])
        return items, {**headers, **language_headers(used)}

    @courses_blp.arguments(CourseCreateSchema)
    @courses_blp.response(201, CourseDetailSchema)
    def post(self, values: dict[str, Any]) -> Detail:
        """Create a draft course (trainers, who become its owner, and admins)."""
        actor = current_actor()
        policy.authorize(policy.courses.create.check(actor))
        return _changed(actor, authoring.create_course(actor, values))


@courses_blp.route("/<int:course_id>")
class CourseItem(MethodView):
    @conditional
    @cached(course_pages, course_page_key)
    @courses_blp.arguments(LanguageArgs, location="query")
    @courses_blp.response(200, CourseDetailSchema)
    def get(self, args: dict[str, Any], course_id: int) -> Any:
        """A course with its outline; editors also get owners, restriction and raw texts."""
        language = requested_language(args["lang"])
        if not sighting().editor:
            return shared_page(pages.course_detail(course_id, language))
        actor = current_actor()
        course = visible_course(actor, catalogue.load_course(course_id, outline=True))
        return _detail(actor, course, language)

    @courses_blp.arguments(CourseUpdateSchema)
    @courses_blp.response(200, CourseDetailSchema)
    def patch(self, changes: dict[str, Any], course_id: int) -> Detail:
        """Edit settings and texts (owners and admins)."""
        actor = current_actor()
        course = editable_course(actor, course_id)
        return _changed(actor, authoring.update_course(actor, course, changes))


@courses_blp.route("/<int:course_id>/owners")
class CourseOwners(MethodView):
    @courses_blp.arguments(OwnerAddSchema)
    @courses_blp.response(200, OwnerSchema(many=True))
    def post(self, body: dict[str, int], course_id: int) -> list[views.Owner]:
        """Add a co-owner, who must be an active trainer (owners and admins)."""
        actor = current_actor()
        course = editable_course(actor, course_id)
        return views.owners(authoring.add_owner(actor, course, body["user_id"]))


@courses_blp.route("/<int:course_id>/owners/<int:user_id>", methods=["DELETE"])
@courses_blp.response(204)
def remove_owner(course_id: int, user_id: int) -> None:
    """Remove a co-owner; the last owner cannot be removed (owners and admins)."""
    actor = current_actor()
    authoring.remove_owner(actor, editable_course(actor, course_id), user_id)


@courses_blp.route("/<int:course_id>/publish", methods=["POST"])
@courses_blp.response(200, CourseDetailSchema)
def publish(course_id: int) -> Detail:
    """Publish; 409 listing every gap when the default language is not complete."""
    actor = current_actor()
    course = editable_course(actor, course_id)
    return _changed(actor, authoring.publish_course(actor, course))


@courses_blp.route("/<int:course_id>/unpublish", methods=["POST"])
@courses_blp.response(200, CourseDetailSchema)
def unpublish(course_id: int) -> Detail:
    """Back to draft: the course leaves the catalogue."""
    actor = current_actor()
    course = editable_course(actor, course_id)
    return _changed(actor, authoring.unpublish_course(actor, course))


@courses_blp.route("/<int:course_id>/archive", methods=["POST"])
@courses_blp.response(200, CourseDetailSchema)
def archive(course_id: int) -> Detail:
    """Archive: the course leaves the catalogue; its content and history stay."""
    actor = current_actor()
    course = editable_course(actor, course_id)
    return _changed(actor, authoring.archive_course(actor, course))
