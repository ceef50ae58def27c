"""Laying a package out as files: the inverse of ``reader``, deterministic to the byte."""

from __future__ import annotations

from typing import Any

from elearn.content.files import PackageFiles
from elearn.content.package import CoursePackage, LessonFile, LessonSpec
from elearn.content.reader import COURSE_FILE
from elearn.courses import rules
from elearn.formats.source import FRONT_MATTER_FENCE, dump_yaml


def write_package(package: CoursePackage) -> PackageFiles:
    """``course.yaml``, one Markdown file per lesson and language, and each quiz file as written."""
    files = {COURSE_FILE: dump_yaml(course_document(package)).encode()}
    for module in package.modules:
        for lesson in module.lessons:
            for language in package.languages:
                files[f"{language}/{lesson.file}"] = lesson_file(lesson.texts[language]).encode()
            if lesson.quiz is not None:
                files[lesson.quiz.path] = lesson.quiz.source.encode()
    return files


def course_document(package: CoursePackage) -> dict[str, Any]:
    """``course.yaml`` as data, every field in the order the format documents."""
    document: dict[str, Any] = {
        "format": 1,
        "slug": package.slug,
        "code": package.code,
        "default_language": package.default_language,
        "languages": list(package.languages),
        "topics": list(package.topics),
        "estimated_minutes": package.estimated_minutes,
        "pass_mark": package.pass_mark,
    }
    if package.due_days is not None:
        document["due_days"] = package.due_days
    # Reminder settings are written only when they differ from the defaults.
    if package.reminder_offsets_days != rules.REMINDER_OFFSETS_DEFAULT:
        document["reminder_offsets_days"] = list(package.reminder_offsets_days)
    if package.idle_after_days != rules.IDLE_AFTER_DAYS_DEFAULT:
        document["idle_after_days"] = package.idle_after_days
    document["administrations"] = list(package.administrations)
    document["completion"] = {
        "lessons": package.completion_lessons,
        "quizzes": package.completion_quizzes,
    }
    document["translations"] = {
        language: {
            "title": package.translations[language].title,
            "summary": package.translations[language].summary,
            "objectives": list(package.translations[language].objectives),
        }
        for language in package.languages
    }
    document["modules"] = [
        {
            "key": module.key,
            "titles": {language: module.titles[language] for language in package.languages},
            "lessons": [_lesson_entry(lesson) for lesson in module.lessons],
        }
        for module in package.modules
    ]
    return document


def _lesson_entry(lesson: LessonSpec) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "key": lesson.key,
        "kind": lesson.kind,
        "file": lesson.file,
        "required": lesson.required,
    }
    if lesson.minutes is not None:
        entry["minutes"] = lesson.minutes
    if lesson.url is not None:
        entry["url"] = lesson.url
    if lesson.media:
        paths = set(lesson.media.values())
        entry["media"] = paths.pop() if len(paths) == 1 else dict(lesson.media)
    if lesson.quiz is not None:
        entry["quiz"] = lesson.quiz.path
    return entry


def lesson_file(text: LessonFile) -> str:
    """Front matter with the title, then the body as stored."""
    return f"{FRONT_MATTER_FENCE}{dump_yaml({'title': text.title})}{FRONT_MATTER_FENCE}{text.body}"
