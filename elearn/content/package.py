"""A validated package in memory: what ``reader`` produces and ``writer`` lays out as files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from elearn.courses import rules


@dataclass(frozen=True)
class CourseTexts:
    title: str
    summary: str
    objectives: tuple[str, ...] = ()


@dataclass(frozen=True)
class LessonFile:
    title: str
    body: str


@dataclass(frozen=True)
class QuizFile:
    """The quiz file as written (``source``) and as checked and normalised (``definition``)."""

    path: str
    source: str
    definition: dict[str, Any]


@dataclass(frozen=True)
class LessonSpec:
    key: str
    kind: str
    file: str
    texts: dict[str, LessonFile]
    required: bool = True
    minutes: int | None = None
    url: str | None = None
    # Package paths per language; checked, but stored only once the media domain exists.
    media: dict[str, str] = field(default_factory=dict)
    quiz: QuizFile | None = None


@dataclass(frozen=True)
class ModuleSpec:
    key: str
    titles: dict[str, str]
    lessons: tuple[LessonSpec, ...]


@dataclass(frozen=True)
class CoursePackage:
    slug: str
    code: str
    default_language: str
    languages: tuple[str, ...]
    translations: dict[str, CourseTexts]
    modules: tuple[ModuleSpec, ...]
    topics: tuple[str, ...] = ()
    estimated_minutes: int = 0
    pass_mark: int = 70
    due_days: int | None = None
    reminder_offsets_days: tuple[int, ...] = rules.REMINDER_OFFSETS_DEFAULT
    idle_after_days: int = rules.IDLE_AFTER_DAYS_DEFAULT
    administrations: tuple[str, ...] = ()
    completion_lessons: str = "required"
    completion_quizzes: str = "required"
