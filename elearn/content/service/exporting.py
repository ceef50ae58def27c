"""A course back into a package: what ``elearn content export`` and the export endpoint write.

Files are named after keys (``en/<lesson key>.md``, ``quizzes/<lesson key>.yaml``,
``media/<lesson key>.mp4``), which never change when the outline is reordered. Archived modules
and lessons are not exported.
"""

from __future__ import annotations

from collections.abc import Mapping

from elearn.content.files import PackageFiles
from elearn.content.package import (
    CoursePackage,
    CourseTexts,
    LessonFile,
    LessonSpec,
    ModuleSpec,
    QuizFile,
)
from elearn.content.writer import write_package
from elearn.courses.models import Course, Lesson, Module
from elearn.courses.service import completeness, outline
from elearn.errors import Conflict
from elearn.media.bulk import lesson_media_files

MEDIA_FOLDER = "media"


def export_package(course: Course) -> PackageFiles:
    """The course as package files, its lessons' media included; 409 listing every gap when a
    language is incomplete."""
    outline.load(course)
    gaps = completeness.export_gaps(course)
    if gaps:
        raise Conflict(
            "The course needs every text in each of its languages to be exported.", errors=gaps
        )
    media = _media_files(course)
    paths = {lesson_id: path for lesson_id, (path, _) in media.items()}
    files = write_package(package_of(course, paths))
    files.update(media.values())
    return files


def _media_files(course: Course) -> dict[int, tuple[str, bytes]]:
    """The package path and bytes of each exported lesson's media file, by lesson id."""
    exported = {
        lesson.id: lesson.key
        for module in outline.active_modules(course)
        for lesson in outline.active_lessons(module)
    }
    return {
        lesson_id: (f"{MEDIA_FOLDER}/{exported[lesson_id]}{file.extension}", file.data)
        for lesson_id, file in lesson_media_files(course).items()
        if lesson_id in exported
    }


def package_of(course: Course, media_paths: Mapping[int, str]) -> CoursePackage:
    """The package a complete course makes: active outline, files named after keys;
    ``media_paths`` gives the package path of each lesson's media file, by lesson id."""
    languages = tuple(course.languages)
    translations = {}
    for language in languages:
        text = course.translation(language)
        assert text is not None
        translations[language] = CourseTexts(text.title, text.summary, tuple(text.objectives))
    return CoursePackage(
        slug=course.slug,
        code=course.code,
        default_language=course.default_language,
        languages=languages,
        translations=translations,
        modules=tuple(
            _module(module, languages, media_paths) for module in outline.active_modules(course)
        ),
        topics=tuple(course.topics),
        estimated_minutes=course.estimated_minutes,
        pass_mark=course.pass_mark,
        due_days=course.due_days,
        reminder_offsets_days=tuple(course.reminder_offsets_days),
        idle_after_days=course.idle_after_days,
        administrations=tuple(course.administration_codes),
        completion_lessons=course.completion_lessons,
        completion_quizzes=course.completion_quizzes,
    )


def _module(
    module: Module, languages: tuple[str, ...], media_paths: Mapping[int, str]
) -> ModuleSpec:
    return ModuleSpec(
        key=module.key,
        titles={language: str(module.titles[language]) for language in languages},
        lessons=tuple(
            _lesson(lesson, languages, media_paths.get(lesson.id))
            for lesson in outline.active_lessons(module)
        ),
    )


def _lesson(lesson: Lesson, languages: tuple[str, ...], media_path: str | None) -> LessonSpec:
    texts = {}
    for language in languages:
        text = lesson.translation(language)
        assert text is not None
        texts[language] = LessonFile(text.title, text.body)
    quiz = lesson.quiz
    return LessonSpec(
        key=lesson.key,
        kind=lesson.kind,
        file=f"{lesson.key}.md",
        texts=texts,
        required=lesson.required,
        minutes=lesson.minutes,
        url=lesson.url,
        media=dict.fromkeys(languages, media_path) if media_path else {},
        quiz=QuizFile(f"quizzes/{lesson.key}.yaml", quiz.source, quiz.definition) if quiz else None,
    )
