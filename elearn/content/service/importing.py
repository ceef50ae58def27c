"""Writing a checked package to the database: create or update the course with its slug.

Modules and lessons are matched by key, so a re-import updates in place and never duplicates;
lessons missing from the package are archived when trainees have progress on them and deleted
otherwise. Lessons show the package's media files through the media domain, which reuses the
files the course already holds. Everything happens in the caller's transaction: a package
refused at any step (a problem in a file, an unknown administration, a failed publication, a
media file that does not suit its lesson) changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from elearn import clock, policy
from elearn.accounts.models import Administration, User
from elearn.audit import service as audit_log
from elearn.config import current_settings
from elearn.content.package import CoursePackage, LessonSpec, ModuleSpec
from elearn.content.reader import COURSE_FILE, read_package
from elearn.courses.models import Course, Lesson, LessonKind, Module, QuizDefinition
from elearn.courses.service import authoring, outline
from elearn.courses.service.authoring import CourseText
from elearn.courses.service.outline import LessonText
from elearn.extensions import db
from elearn.formats.problems import Problems
from elearn.media import bulk
from elearn.media.bulk import StoringProgress, silently

ONE_FILE_PER_LESSON = (
    "A lesson has one media file for all its languages; per-language files are not supported."
)


@dataclass(frozen=True)
class ImportResult:
    course_id: int
    slug: str
    created: bool
    status: str
    lessons_created: int
    lessons_kept: int
    lessons_archived: int
    lessons_deleted: int


def import_package(
    actor: User | None,
    files: Mapping[str, bytes],
    *,
    publish: bool = False,
    progress: StoringProgress = silently,
) -> ImportResult:
    """Create or update the package's course, all or nothing; importing twice changes nothing.

    ``actor`` None is the operator at the command line; otherwise creating needs a trainer or
    admin and updating needs the right to edit that course. ``progress`` wraps the media files
    as they are stored.
    """
    package = read_package(files, current_settings().languages)
    _check_administrations(package)
    shown_media = _checked_media(package, files)
    course = authoring.find_course_by_slug(package.slug)
    created = course is None
    values = _course_values(package, course)
    if course is None:
        if actor is not None:
            policy.authorize(policy.courses.create.check(actor))
        course = authoring.create_course(actor, values)
    else:
        if actor is not None:
            policy.authorize(policy.courses.edit.check(actor, course))
        course = authoring.update_course(actor, course, values)
    counts = _sync_outline(course, package)
    if publish:
        authoring.publish_course(actor, course)
    # Last, so that nothing refused later leaves stored files behind.
    bulk.show_lesson_files(course, shown_media, files, actor, progress)
    result = ImportResult(course.id, course.slug, created, course.status, *counts)
    audit_log.record(
        actor, "course.imported", "course", course.id, created=created, lessons=list(counts)
    )
    return result


def _check_administrations(package: CoursePackage) -> None:
    known = set(
        db.session.scalars(
            db.select(Administration.code).where(Administration.code.in_(package.administrations))
        )
    )
    problems = Problems()
    for number, code in enumerate(package.administrations):
        if code not in known:
            problems.add(COURSE_FILE, f"administrations[{number}]", f"No administration {code}.")
    problems.raise_if_any()


def _checked_media(package: CoursePackage, files: Mapping[str, bytes]) -> dict[str, str | None]:
    """The media file each lesson of the package shows ({lesson key: path or None}); 422 naming
    each lesson whose file the media domain would refuse."""
    problems = Problems()
    shown: dict[str, str | None] = {}
    for module_number, module in enumerate(package.modules):
        for lesson_number, spec in enumerate(module.lessons):
            where = f"modules[{module_number}].lessons[{lesson_number}].media"
            paths = set(spec.media.values())
            shown[spec.key] = None
            if len(paths) > 1:
                problems.add(COURSE_FILE, where, ONE_FILE_PER_LESSON)
            elif paths:
                path = paths.pop()
                problem = bulk.file_problem(spec.kind, path, files[path])
                if problem is None:
                    shown[spec.key] = path
                else:
                    problems.add(COURSE_FILE, where, f"{path}: {problem}")
    problems.raise_if_any()
    return shown


def _course_values(package: CoursePackage, course: Course | None) -> dict[str, Any]:
    translations: dict[str, CourseText | None] = {
        language: CourseText(text.title, text.summary, text.objectives)
        for language, text in package.translations.items()
    }
    for language in course.languages if course is not None else ():
        translations.setdefault(language, None)
    return {
        "slug": package.slug,
        "code": package.code,
        "default_language": package.default_language,
        "estimated_minutes": package.estimated_minutes,
        "pass_mark": package.pass_mark,
        "completion_lessons": package.completion_lessons,
        "completion_quizzes": package.completion_quizzes,
        "due_days": package.due_days,
        "topics": package.topics,
        "administrations": package.administrations,
        "translations": translations,
    }


def _sync_outline(course: Course, package: CoursePackage) -> tuple[int, int, int, int]:
    """Make the active outline the package's: (created, kept, archived, deleted) lessons."""
    outline.lock_outline(course)
    modules = {module.key: module for module in course.modules}
    lessons = {lesson.key: lesson for module in course.modules for lesson in module.lessons}
    # Positions are freed first, so any new order and any move between modules can be written.
    for module in modules.values():
        module.position = None
    for lesson in lessons.values():
        lesson.position = None
    db.session.flush()
    created = _write_outline(course, package, modules, lessons)
    wanted = {spec.key for module_spec in package.modules for spec in module_spec.lessons}
    gone = [
        lesson
        for key, lesson in lessons.items()
        if key not in wanted and lesson.archived_at is None
    ]
    archived, deleted = outline.remove_lessons(gone)
    kept_modules = {module_spec.key for module_spec in package.modules}
    _remove_modules(course, [m for key, m in modules.items() if key not in kept_modules])
    return created, len(wanted) - created, archived, deleted


def _write_outline(
    course: Course,
    package: CoursePackage,
    modules: dict[str, Module],
    lessons: dict[str, Lesson],
) -> int:
    """Write every module and lesson of the package in order; the number of new lessons."""
    created = 0
    for module_number, module_spec in enumerate(package.modules, 1):
        module = _module(course, modules, module_spec, module_number)
        for lesson_number, spec in enumerate(module_spec.lessons, 1):
            existing = lessons.get(spec.key)
            if existing is None:
                existing = lessons[spec.key] = Lesson(course_id=course.id, key=spec.key)
                db.session.add(existing)
                created += 1
            _write_lesson(existing, module, spec, lesson_number)
    db.session.flush()
    return created


def _module(course: Course, modules: dict[str, Module], spec: ModuleSpec, position: int) -> Module:
    module = modules.get(spec.key)
    if module is None:
        module = modules[spec.key] = Module(key=spec.key)
        course.modules.append(module)
    module.titles = dict(spec.titles)
    module.position, module.archived_at = position, None
    return module


def _write_lesson(lesson: Lesson, module: Module, spec: LessonSpec, position: int) -> None:
    lesson.module = module
    lesson.position, lesson.archived_at = position, None
    lesson.kind, lesson.required = spec.kind, spec.required
    lesson.minutes, lesson.url = spec.minutes, spec.url
    for language, text in spec.texts.items():
        outline.set_lesson_text(lesson, language, LessonText(text.title, text.body))
    for translation in list(lesson.translations):
        if translation.lang not in spec.texts:
            outline.set_lesson_text(lesson, translation.lang, None)
    if spec.quiz is None or spec.kind != LessonKind.QUIZ:
        lesson.quiz = None
    elif lesson.quiz is None:
        lesson.quiz = QuizDefinition(source=spec.quiz.source, definition=spec.quiz.definition)
    else:
        lesson.quiz.source, lesson.quiz.definition = spec.quiz.source, spec.quiz.definition


def _remove_modules(course: Course, removed: list[Module]) -> None:
    """Modules left only with archived lessons are archived; empty ones are deleted."""
    now = clock.now()
    for module in removed:
        if module.lessons:
            module.archived_at = module.archived_at or now
        else:
            course.modules.remove(module)
    db.session.flush()
