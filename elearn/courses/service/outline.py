"""Editing a course's outline: modules and lessons, their order, texts and removal.

Every change starts with ``lock``: the course row is held (SELECT … FOR UPDATE on PostgreSQL;
SQLite serializes writers) and the outline is re-read, so concurrent edits of one course apply
one after the other and positions stay dense (1..n) and unique.

A lesson that trainees worked on (progress, quiz attempts: rows of the domains above whose
foreign keys keep their lesson) cannot be deleted, only archived. Courses do not ask those
domains: the deletion is tried in a savepoint and the database refuses it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from elearn import clock
from elearn.courses.models import Course, Lesson, LessonKind, LessonTranslation, Module
from elearn.database import lock, removed_unless_referenced
from elearn.errors import Conflict, Invalid, NotFound
from elearn.extensions import db

LESSON_SETTINGS = ("kind", "required", "minutes", "url")
Positioned = TypeVar("Positioned", Module, Lesson)


@dataclass(frozen=True)
class LessonText:
    title: str
    body: str = ""


def load(course: Course) -> Course:
    """``course`` with every module, lesson, lesson text and quiz, fresh from the database."""
    lessons = selectinload(Course.modules).selectinload(Module.lessons)
    db.session.flush()
    db.session.scalars(
        select(Course)
        .where(Course.id == course.id)
        .options(lessons.selectinload(Lesson.translations), lessons.selectinload(Lesson.quiz))
        .execution_options(populate_existing=True)
    ).one()
    return course


def lock_outline(course: Course, *found: Module | Lesson) -> Course:
    """Hold the course row until the transaction ends, then re-read its outline (an edit that
    changes it moves the course's ``updated_at``, see ``models.versions``).

    ``found`` are the modules and lessons the caller looked up before waiting for the lock: a
    concurrent edit may have deleted them meanwhile, which is a 404, not a stale object to act on.
    """
    db.session.flush()
    lock(Course, course.id)
    load(course)
    for item in found:
        _ensure_still_in_outline(course, item)
    return course


def _ensure_still_in_outline(course: Course, item: Module | Lesson) -> None:
    if isinstance(item, Module):
        if item not in course.modules:
            raise NotFound("No such module.")
    elif not any(item in module.lessons for module in course.modules):
        raise NotFound("No such lesson.")


def renumber(items: Sequence[Positioned]) -> None:
    """Positions 1..n in this order, never breaking unique (parent, position) on the way."""
    moving = [(n, item) for n, item in enumerate(items, 1) if item.position != n]
    for _, item in moving:
        item.position = None
    db.session.flush()
    for number, item in moving:
        item.position = number
    db.session.flush()


def active_modules(course: Course) -> list[Module]:
    """The course's modules in the outline (not archived), by position."""
    return sorted((m for m in course.modules if m.archived_at is None), key=_position)


def active_lessons(module: Module) -> list[Lesson]:
    """The module's lessons in the outline (not archived), by position."""
    return sorted(module.active_lessons, key=_position)


def _position(item: Module | Lesson) -> int:
    return item.position or 0


def find_module(course: Course, module_id: int) -> Module:
    """A module of ``course``; another course's module does not exist here (404)."""
    module = db.session.get(Module, module_id)
    if module is None or module.course_id != course.id:
        raise NotFound("No such module.")
    return module


def find_lesson(course: Course, lesson_id: int) -> Lesson:
    """A lesson of ``course``; another course's lesson does not exist here (404)."""
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.course_id != course.id:
        raise NotFound("No such lesson.")
    return lesson


# modules


def add_module(course: Course, key: str, titles: Mapping[str, str]) -> Module:
    """A module appended after the course's last one; keys are unique within the course."""
    lock_outline(course)
    _ensure_module_key_free(course, key)
    module = Module(key=key, titles=dict(titles), position=len(active_modules(course)) + 1)
    course.modules.append(module)
    db.session.flush()
    return module


def update_module(course: Course, module: Module, changes: Mapping[str, Any]) -> Module:
    """Rename (``key``) and retitle; a title set to None removes that language."""
    lock_outline(course, module)
    if "key" in changes and changes["key"] != module.key:
        _ensure_module_key_free(course, changes["key"])
        module.key = changes["key"]
    if "titles" in changes:
        module.titles = _merged(module.titles, changes["titles"])
    db.session.flush()
    return module


def delete_module(course: Course, module: Module) -> None:
    """Delete a module and its lessons; refused when a lesson carries progress (archive it)."""
    lock_outline(course, module)
    if not removed_unless_referenced(lambda: course.modules.remove(module)):
        raise Conflict("Trainees have progress in this module; archive it instead.")
    renumber(active_modules(course))


def archive_module(course: Course, module: Module) -> Module:
    """Take a module and its lessons out of the outline, keeping them for history."""
    lock_outline(course, module)
    _archive_module(course, module)
    return module


def _archive_module(course: Course, module: Module) -> None:
    now = clock.now()
    for lesson in module.active_lessons:
        lesson.archived_at, lesson.position = now, None
    if module.archived_at is None:
        module.archived_at, module.position = now, None
    db.session.flush()
    renumber(active_modules(course))


def reorder_modules(course: Course, module_ids: Sequence[int]) -> Course:
    """Put the course's modules in the given order (the list names every active module once)."""
    lock_outline(course)
    renumber(_in_order(active_modules(course), module_ids, "module"))
    return course


def _ensure_module_key_free(course: Course, key: str) -> None:
    if any(module.key == key for module in course.modules):
        raise Conflict("The course already has a module with this key.", errors={"key": ["Taken."]})


# lessons


def add_lesson(course: Course, module: Module, values: Mapping[str, Any]) -> Lesson:
    """A lesson appended at the end of an active module; keys are unique within the course."""
    lock_outline(course, module)
    if module.archived_at is not None:
        raise Conflict("The module is archived.")
    _ensure_lesson_key_free(course, values["key"])
    lesson = Lesson(
        course_id=course.id, key=values["key"], position=len(active_lessons(module)) + 1
    )
    module.lessons.append(lesson)
    _apply_lesson_changes(lesson, values)
    db.session.flush()
    return lesson


def update_lesson(course: Course, lesson: Lesson, changes: Mapping[str, Any]) -> Lesson:
    """Edit settings and texts (a text set to None removes that language), or move modules."""
    lock_outline(course, lesson)
    if "key" in changes and changes["key"] != lesson.key:
        _ensure_lesson_key_free(course, changes["key"])
        lesson.key = changes["key"]
    if "module_id" in changes and changes["module_id"] != lesson.module_id:
        _move(lesson, find_module(course, changes["module_id"]))
    _apply_lesson_changes(lesson, changes)
    db.session.flush()
    return lesson


def _apply_lesson_changes(lesson: Lesson, changes: Mapping[str, Any]) -> None:
    if changes.get("kind", lesson.kind) != lesson.kind:
        # Media suit one kind of lesson; the media domain checks the fit when attaching.
        lesson.media_asset_id = None
    for name in LESSON_SETTINGS:
        if name in changes:
            setattr(lesson, name, changes[name])
    if lesson.kind != LessonKind.QUIZ and lesson.quiz is not None:
        raise Conflict("This lesson carries a quiz; import the package without it instead.")
    if lesson.kind != LessonKind.LINK:
        if "url" in changes and changes["url"] is not None:
            raise Invalid("Only link lessons have a URL.", errors={"url": ["Not a link lesson."]})
        lesson.url = None
    for language, text in (changes.get("translations") or {}).items():
        set_lesson_text(lesson, language, text)


def set_lesson_text(lesson: Lesson, language: str, text: LessonText | None) -> None:
    """Create, replace or (with None) remove the lesson's text in ``language``."""
    existing = lesson.translation(language)
    if text is None:
        if existing is not None:
            lesson.translations.remove(existing)
        return
    if existing is None:
        existing = LessonTranslation(lang=language, title=text.title)
        lesson.translations.append(existing)
    existing.title, existing.body = text.title, text.body


def _move(lesson: Lesson, target: Module) -> None:
    """Append ``lesson`` to ``target`` and close the gap it leaves behind."""
    if lesson.archived_at is not None or target.archived_at is not None:
        raise Conflict("Archived lessons and modules cannot take part in moves.")
    source = lesson.module
    lesson.module, lesson.position = target, None
    db.session.flush()
    renumber(active_lessons(source))
    lesson.position = len(active_lessons(target))


def delete_lesson(course: Course, lesson: Lesson) -> None:
    """Delete a lesson; refused (409) when trainees have progress on it: archive it instead."""
    lock_outline(course, lesson)
    module = lesson.module
    if not _deleted(lesson):
        raise Conflict("Trainees have progress on this lesson; archive it instead.")
    renumber(active_lessons(module))


def archive_lesson(course: Course, lesson: Lesson) -> Lesson:
    """Take a lesson out of the outline for new work; it stays in trainees' history."""
    lock_outline(course, lesson)
    if lesson.archived_at is None:
        lesson.archived_at, lesson.position = clock.now(), None
        db.session.flush()
        renumber(active_lessons(lesson.module))
    return lesson


def remove_lessons(lessons: Sequence[Lesson]) -> tuple[int, int]:
    """Archive the lessons trainees have progress on, delete the others: (archived, deleted)."""
    now = clock.now()
    archived = 0
    for lesson in lessons:
        if not _deleted(lesson):
            archived += 1
            if lesson.archived_at is None:
                lesson.archived_at, lesson.position = now, None
    db.session.flush()
    return archived, len(lessons) - archived


def _deleted(lesson: Lesson) -> bool:
    """Delete ``lesson`` unless the database refuses because trainees worked on it."""
    module = lesson.module
    return removed_unless_referenced(lambda: module.lessons.remove(lesson))


def reorder_lessons(course: Course, module: Module, lesson_ids: Sequence[int]) -> Module:
    """Put a module's lessons in the given order (the list names every active lesson once)."""
    lock_outline(course, module)
    renumber(_in_order(active_lessons(module), lesson_ids, "lesson"))
    return module


def _ensure_lesson_key_free(course: Course, key: str) -> None:
    taken = db.session.scalar(
        select(Lesson.id).where(Lesson.course_id == course.id, Lesson.key == key)
    )
    if taken is not None:
        raise Conflict("The course already has a lesson with this key.", errors={"key": ["Taken."]})


def _in_order(items: Sequence[Positioned], ids: Sequence[int], what: str) -> list[Positioned]:
    if len(set(ids)) != len(ids):
        raise Invalid(f"Each {what} appears once.", errors={"ids": ["Duplicate ids."]})
    by_id = {item.id: item for item in items}
    if set(ids) != set(by_id):
        raise Conflict(
            f"The list must name every active {what} exactly once; reload and try again.",
            errors={"ids": [f"Expected the ids {sorted(by_id)} in some order."]},
        )
    return [by_id[item_id] for item_id in ids]


def _merged(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**current, **changes}
    return {language: title for language, title in sorted(merged.items()) if title is not None}
