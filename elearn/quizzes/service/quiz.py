"""A quiz as the quizzes domain sees it: a quiz lesson, its course and its definition's settings.

The quiz's id in the API is the quiz lesson's id: it is what the course outline shows trainees,
and it stays the same when a package re-import rewrites the lesson's quiz definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import QueryableAttribute, joinedload, lazyload

from elearn.courses.models import Course, Lesson, LessonKind, QuizDefinition
from elearn.courses.models.versions import COURSES
from elearn.errors import NotFound
from elearn.extensions import db
from elearn.http_cache import Remembered
from elearn.quizzes.service.grading import GradingMethod


class ReviewPolicy(StrEnum):
    """What a trainee sees of a finished attempt."""

    NONE = "none"  # neither score nor answers
    SCORE = "score"  # the score and whether it passed
    AFTER_SUBMISSION = "after_submission"  # the score, then per question answers and feedback
    AFTER_CLOSE = "after_close"  # the score, then answers once the quiz is closed to the trainee
    # The score, then answers once the trainee has passed or the quiz is closed to them: a
    # trainee who may still try again never sees the key. ("pass" is no password.)
    AFTER_PASS_OR_CLOSE = "after_pass_or_close"  # noqa: S105


@dataclass(frozen=True)
class QuizSettings:
    pass_mark: int
    time_limit_minutes: int | None = None
    max_attempts: int | None = None
    cooldown_minutes: int = 0
    shuffle_questions: bool = False
    shuffle_options: bool = False
    grading: GradingMethod = GradingMethod.HIGHEST
    review: ReviewPolicy = ReviewPolicy.AFTER_SUBMISSION
    draw: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of(cls, settings: Mapping[str, Any], default_pass_mark: int) -> QuizSettings:
        """Typed settings of a normalised definition (the courses validator filled defaults)."""
        return cls(
            pass_mark=int(settings.get("pass_mark", default_pass_mark)),
            time_limit_minutes=settings.get("time_limit_minutes"),
            max_attempts=settings.get("max_attempts"),
            cooldown_minutes=int(settings.get("cooldown_minutes") or 0),
            shuffle_questions=bool(settings.get("shuffle_questions")),
            shuffle_options=bool(settings.get("shuffle_options")),
            grading=GradingMethod(settings.get("grading", GradingMethod.HIGHEST)),
            review=ReviewPolicy(settings.get("review", ReviewPolicy.AFTER_SUBMISSION)),
            draw=tuple((rule["pool"], int(rule["count"])) for rule in settings.get("draw", ())),
        )

    def as_definition(self) -> dict[str, Any]:
        """The settings as a normalised definition holds them."""
        return {
            **{name: value for name, value in vars(self).items() if name != "draw"},
            "grading": self.grading.value,
            "review": self.review.value,
            "draw": [{"pool": pool, "count": count} for pool, count in self.draw],
        }


@dataclass(frozen=True)
class Quiz:
    lesson: Lesson
    course: Course

    @property
    def id(self) -> int:
        return self.lesson.id

    @property
    def definition(self) -> QuizDefinition | None:
        return self.lesson.quiz

    @property
    def settings(self) -> QuizSettings:
        definition = self.definition.definition if self.definition is not None else {}
        return QuizSettings.of(definition.get("settings", {}), self.course.pass_mark)

    @property
    def questions(self) -> list[dict[str, Any]]:
        return list(self.definition.definition["questions"]) if self.definition else []

    @property
    def languages(self) -> list[str]:
        return self.definition.languages if self.definition else list(self.course.languages)

    @property
    def open_to_trainees(self) -> bool:
        return self.definition is not None and self.lesson.archived_at is None


def find_quiz(lesson_id: int, *, any_kind: bool = False, questions: bool = True) -> Quiz:
    """The quiz lesson with its definition and course; 404 for any other lesson (unless
    ``any_kind``: a lesson whose attempts outlived its change to another kind). Without
    ``questions`` the definition's document (tens of kilobytes) is read only if used: ask
    ``settings_of_lesson`` for the settings."""
    found = (
        db.session.execute(_quiz_statement(questions=questions), {"lesson_id": lesson_id})
        .unique()
        .one_or_none()
    )
    if found is None or (found.Lesson.kind != LessonKind.QUIZ and not any_kind):
        raise NotFound("No such quiz.")
    return Quiz(lesson=found.Lesson, course=found.Course)


@cache
def _quiz_statement(*, questions: bool) -> Select[Lesson, Course]:
    """The statement of ``find_quiz`` for the lesson id bound as ``lesson_id``, built once per
    variant rather than for every request (with its cache key: SQLAlchemy keeps it on the
    statement)."""
    definition = joinedload(Lesson.quiz).defer(QuizDefinition.source)
    if not questions:
        definition = definition.defer(QuizDefinition.definition)
    return (
        select(Lesson, Course)
        .join(Course, Course.id == Lesson.course_id)
        .where(Lesson.id == bindparam("lesson_id"))
        # What policies ask of a course comes with it, in the same statement; its texts only
        # when a caller reads them.
        .options(
            definition,
            joinedload(Course.administration_links),
            joinedload(Course.owner_links),
            lazyload(Course.translations),
            lazyload(Course.topic_links),
        )
    )


# Per quiz lesson and default pass mark, until any course (a quiz definition included) changes.
_remembered_settings: Remembered[QuizSettings] = Remembered(COURSES, size=4096)


def settings_of_lesson(lesson_id: int, default_pass_mark: int) -> QuizSettings:
    """The current settings of a quiz lesson (defaults when its definition is gone), as this
    process read them since the last change to any course: a definition is tens of kilobytes
    of JSON, which PostgreSQL would parse for every read of its settings."""

    def read() -> QuizSettings:
        stored = db.session.scalar(stored_settings(lesson_id))
        return QuizSettings.of(stored or {}, default_pass_mark)

    return _remembered_settings.get((lesson_id, default_pass_mark), read)


def stored_settings(lesson_id: int | QueryableAttribute[int]) -> Select[tuple[Any]]:
    """The settings of a quiz lesson's definition as stored (none when it is gone), alone or
    as a subquery: only the settings travel and are parsed, not the questions."""
    return select(QuizDefinition.definition["settings"]).where(
        QuizDefinition.lesson_id == lesson_id
    )
