"""Warnings, not refusals: graded quizzes of a package that a trainee could pass by copying.

A quiz certifies something only when a later attempt cannot copy the key of an earlier one and
attempts do not all ask the same questions (docs/content-format.md, "Quizzes that certify").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from elearn.content.package import CoursePackage, QuizFile
from elearn.formats.problems import Problem

# Answers shown to a trainee who may still try again.
EARLY_REVIEW = "after_submission"


def copying_warnings(package: CoursePackage) -> list[Problem]:
    """What makes each graded quiz (a required quiz lesson when passing quizzes completes the
    course) passable by copying."""
    if package.completion_quizzes != "required":
        return []
    return [
        warning
        for module in package.modules
        for lesson in module.lessons
        if lesson.quiz is not None and lesson.required
        for warning in _quiz_warnings(lesson.quiz)
    ]


def _quiz_warnings(quiz: QuizFile) -> Iterator[Problem]:
    settings: dict[str, Any] = quiz.definition["settings"]
    questions: list[dict[str, Any]] = quiz.definition["questions"]
    retakes = settings["max_attempts"] != 1
    if retakes and settings["review"] == EARLY_REVIEW:
        yield Problem(
            quiz.path,
            "settings.review",
            "Answers are shown after each submission while attempts remain, so a later attempt "
            "can copy them; use after_pass_or_close (or after_close).",
        )
    if retakes and not settings["cooldown_minutes"]:
        yield Problem(
            quiz.path,
            "settings.cooldown_minutes",
            "Attempts may follow each other without a pause; set a cooldown.",
        )
    pools = Counter(question["pool"] for question in questions)
    drawn = {rule["pool"] for rule in settings["draw"]}
    for number, rule in enumerate(settings["draw"]):
        if rule["count"] * 2 > pools[rule["pool"]]:
            yield Problem(
                quiz.path,
                f"settings.draw[{number}].count",
                f"An attempt draws {rule['count']} of the {pools[rule['pool']]} questions of "
                f"the pool {rule['pool']!r}; a pool at least twice the draw keeps attempts "
                "different.",
            )
    always = sum(count for pool, count in pools.items() if pool not in drawn)
    if always:
        asked = (
            f"Every attempt asks all {always} questions"
            if always == len(questions)
            else f"{always} of the {len(questions)} questions are in no drawn pool and asked in "
            "every attempt"
        )
        yield Problem(
            quiz.path,
            "settings.draw",
            f"{asked}; draw them from pools at least twice the size of the draw.",
        )
