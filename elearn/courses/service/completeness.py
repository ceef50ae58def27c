"""Is a course complete in a language? Publishing asks for the default language, export for all.

Export needs what the package format cannot do without (titles in every language, a link's URL,
a quiz lesson's quiz); publishing also needs what a trainee cannot do without (a summary, lesson
bodies, modules with lessons). Every gap is reported, keyed by where it is
(``lessons.intro.translations.en.body``), not just the first.
"""

from __future__ import annotations

from collections.abc import Callable

from elearn.courses.models import Course, Lesson, LessonKind

Gaps = dict[str, list[str]]
Note = Callable[[str, str], None]
MISSING = "Missing."


def publication_gaps(course: Course) -> Gaps:
    """What stops ``course`` from being published: gaps in its default language."""
    gaps: Gaps = {}
    _check(course, course.default_language, _collector(gaps), for_trainees=True)
    return gaps


def export_gaps(course: Course) -> Gaps:
    """What stops ``course`` from being written as a package, in any of its languages."""
    gaps: Gaps = {}
    note = _collector(gaps)
    for language in course.languages:
        _check(course, language, note, for_trainees=False)
    return gaps


def _collector(gaps: Gaps) -> Note:
    def note(where: str, message: str) -> None:
        messages = gaps.setdefault(where, [])
        if message not in messages:
            messages.append(message)

    return note


def _check(course: Course, language: str, note: Note, *, for_trainees: bool) -> None:
    text = course.translation(language)
    if text is None:
        note(f"translations.{language}", f"The course has no texts in {language}.")
    else:
        if not text.title.strip():
            note(f"translations.{language}.title", MISSING)
        if for_trainees and not text.summary.strip():
            note(f"translations.{language}.summary", MISSING)
    modules = [module for module in course.modules if module.archived_at is None]
    if for_trainees and not any(module.active_lessons for module in modules):
        note("modules", "The course has no lessons.")
    for module in modules:
        if not str(module.titles.get(language) or "").strip():
            note(f"modules.{module.key}.titles.{language}", MISSING)
        if for_trainees and not module.active_lessons:
            note(f"modules.{module.key}.lessons", "The module has no lessons.")
        for lesson in module.active_lessons:
            _check_lesson(lesson, language, note, for_trainees=for_trainees)


def _check_lesson(lesson: Lesson, language: str, note: Note, *, for_trainees: bool) -> None:
    where = f"lessons.{lesson.key}"
    text = lesson.translation(language)
    if text is None:
        note(f"{where}.translations.{language}", f"The lesson has no text in {language}.")
    else:
        if not text.title.strip():
            note(f"{where}.translations.{language}.title", MISSING)
        if for_trainees and not text.body.strip():
            note(f"{where}.translations.{language}.body", MISSING)
    if lesson.kind == LessonKind.LINK and not lesson.url:
        note(f"{where}.url", "A link lesson needs a URL.")
    if lesson.kind == LessonKind.QUIZ:
        if lesson.quiz is None:
            note(f"{where}.quiz", "A quiz lesson needs a quiz definition.")
        elif language not in lesson.quiz.languages:
            note(f"{where}.quiz", f"The quiz has no text in {language}.")
