"""Outline endpoints: modules and lessons, their texts, order, archiving and deletion."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from elearn import policy
from elearn.accounts.identity import current_actor
from elearn.courses.api.access import (
    course_page_key,
    course_pages,
    editable_course,
    language_headers,
    shared_page,
    sighting,
    visible_course,
)
from elearn.courses.models import Course, Lesson, Module
from elearn.courses.queries import catalogue, pages
from elearn.courses.queries import read_models as views
from elearn.courses.schemas import (
    LanguageArgs,
    LessonContentSchema,
    LessonCreateSchema,
    LessonUpdateSchema,
    ModuleCreateSchema,
    ModuleItemSchema,
    ModuleUpdateSchema,
    OrderSchema,
    OutlineArgs,
    OutlineSchema,
)
from elearn.courses.service import authoring, outline
from elearn.http_cache import cached, conditional
from elearn.inputs import Blueprint
from elearn.negotiation import requested_language

outline_blp = Blueprint(
    "course-outline",
    __name__,
    url_prefix="/api/v1/courses",
    description="Modules and lessons of a course",
)

Headers = dict[str, str]


def _module_view(course: Course, module: Module) -> tuple[views.ModuleItem, Headers]:
    language = views.course_language(course, requested_language())
    item = views.module_item(module, language, course.default_language, archived=True)
    return item, language_headers([language])


def _lesson_view(
    course: Course, lesson: Lesson, language: str | None, *, editor: bool
) -> tuple[views.LessonContent, Headers]:
    content = views.lesson_content(lesson, course, language, editor=editor)
    return content, language_headers([content.language])


def _outline_view(course: Course, *, archived: bool) -> tuple[views.Outline, Headers]:
    view = views.course_outline(course, requested_language(), archived=archived)
    return view, language_headers([view.language])


@outline_blp.route("/<int:course_id>/modules")
class Modules(MethodView):
    @conditional
    @outline_blp.arguments(OutlineArgs, location="query")
    @outline_blp.response(200, OutlineSchema)
    def get(self, args: dict[str, Any], course_id: int) -> tuple[views.Outline, Headers]:
        """Modules and their lessons in order (editors may ask for archived ones too)."""
        actor = current_actor()
        course = visible_course(actor, catalogue.load_course(course_id, outline=True))
        if args["archived"]:
            policy.authorize(policy.courses.edit.check(actor, course))
        view = views.course_outline(
            course, requested_language(args["lang"]), archived=args["archived"]
        )
        return view, language_headers([view.language])

    @outline_blp.arguments(ModuleCreateSchema)
    @outline_blp.response(201, ModuleItemSchema)
    def post(self, body: dict[str, Any], course_id: int) -> tuple[views.ModuleItem, Headers]:
        """Append a module (owners and admins)."""
        course = editable_course(current_actor(), course_id)
        return _module_view(course, outline.add_module(course, body["key"], body["titles"]))


@outline_blp.route("/<int:course_id>/modules/order", methods=["PUT"])
@outline_blp.arguments(OrderSchema)
@outline_blp.response(200, OutlineSchema)
def reorder_modules(body: dict[str, list[int]], course_id: int) -> tuple[views.Outline, Headers]:
    """Reorder the modules: ``ids`` names every active module once, in the new order."""
    course = editable_course(current_actor(), course_id)
    return _outline_view(outline.reorder_modules(course, body["ids"]), archived=False)


@outline_blp.route("/<int:course_id>/modules/<int:module_id>")
class ModuleItem(MethodView):
    @outline_blp.response(200, ModuleItemSchema)
    def get(self, course_id: int, module_id: int) -> tuple[views.ModuleItem, Headers]:
        """One module with its lessons (archived modules: editors only)."""
        actor = current_actor()
        course = visible_course(actor, authoring.find_course(course_id))
        module = outline.find_module(course, module_id)
        if module.archived_at is not None:
            policy.authorize(policy.courses.edit.check(actor, course), hide=True, what="module")
        return _module_view(course, module)

    @outline_blp.arguments(ModuleUpdateSchema)
    @outline_blp.response(200, ModuleItemSchema)
    def patch(
        self, changes: dict[str, Any], course_id: int, module_id: int
    ) -> tuple[views.ModuleItem, Headers]:
        """Change a module's key or titles (owners and admins)."""
        course = editable_course(current_actor(), course_id)
        module = outline.find_module(course, module_id)
        return _module_view(course, outline.update_module(course, module, changes))

    @outline_blp.response(204)
    def delete(self, course_id: int, module_id: int) -> None:
        """Delete a module and its lessons; 409 when trainees have progress in it."""
        course = editable_course(current_actor(), course_id)
        outline.delete_module(course, outline.find_module(course, module_id))


@outline_blp.route("/<int:course_id>/modules/<int:module_id>/archive", methods=["POST"])
@outline_blp.response(200, ModuleItemSchema)
def archive_module(course_id: int, module_id: int) -> tuple[views.ModuleItem, Headers]:
    """Archive a module and its lessons: out of the outline, kept in history."""
    course = editable_course(current_actor(), course_id)
    module = outline.find_module(course, module_id)
    return _module_view(course, outline.archive_module(course, module))


@outline_blp.route("/<int:course_id>/modules/<int:module_id>/lessons", methods=["POST"])
@outline_blp.arguments(LessonCreateSchema)
@outline_blp.response(201, LessonContentSchema)
def add_lesson(
    values: dict[str, Any], course_id: int, module_id: int
) -> tuple[views.LessonContent, Headers]:
    """Append a lesson to a module (owners and admins)."""
    course = editable_course(current_actor(), course_id)
    lesson = outline.add_lesson(course, outline.find_module(course, module_id), values)
    return _lesson_view(course, lesson, requested_language(), editor=True)


@outline_blp.route("/<int:course_id>/modules/<int:module_id>/lessons/order", methods=["PUT"])
@outline_blp.arguments(OrderSchema)
@outline_blp.response(200, ModuleItemSchema)
def reorder_lessons(
    body: dict[str, list[int]], course_id: int, module_id: int
) -> tuple[views.ModuleItem, Headers]:
    """Reorder a module's lessons: ``ids`` names every active lesson once, in the new order."""
    course = editable_course(current_actor(), course_id)
    module = outline.find_module(course, module_id)
    return _module_view(course, outline.reorder_lessons(course, module, body["ids"]))


@outline_blp.route("/<int:course_id>/lessons/<int:lesson_id>")
class LessonItem(MethodView):
    @cached(course_pages, course_page_key)
    @outline_blp.arguments(LanguageArgs, location="query")
    @outline_blp.response(200, LessonContentSchema)
    def get(self, args: dict[str, Any], course_id: int, lesson_id: int) -> Any:
        """A lesson as sanitized HTML; editors also get the Markdown of every language."""
        language = requested_language(args["lang"])
        if not sighting().editor:
            return shared_page(pages.lesson_content(course_id, lesson_id, language))
        course = visible_course(current_actor(), authoring.find_course(course_id))
        lesson = catalogue.load_lesson(course, lesson_id)
        return _lesson_view(course, lesson, language, editor=True)

    @outline_blp.arguments(LessonUpdateSchema)
    @outline_blp.response(200, LessonContentSchema)
    def patch(
        self, changes: dict[str, Any], course_id: int, lesson_id: int
    ) -> tuple[views.LessonContent, Headers]:
        """Edit a lesson's settings and texts, or move it to the end of another module."""
        course = editable_course(current_actor(), course_id)
        lesson = outline.update_lesson(course, outline.find_lesson(course, lesson_id), changes)
        return _lesson_view(course, lesson, requested_language(), editor=True)

    @outline_blp.response(204)
    def delete(self, course_id: int, lesson_id: int) -> None:
        """Delete a lesson; 409 when trainees have progress on it (archive it instead)."""
        course = editable_course(current_actor(), course_id)
        outline.delete_lesson(course, outline.find_lesson(course, lesson_id))


@outline_blp.route("/<int:course_id>/lessons/<int:lesson_id>/archive", methods=["POST"])
@outline_blp.response(200, LessonContentSchema)
def archive_lesson(course_id: int, lesson_id: int) -> tuple[views.LessonContent, Headers]:
    """Archive a lesson: it leaves the outline for new work and stays in trainees' history."""
    course = editable_course(current_actor(), course_id)
    lesson = outline.archive_lesson(course, outline.find_lesson(course, lesson_id))
    return _lesson_view(course, lesson, requested_language(), editor=True)
