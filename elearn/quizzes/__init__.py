"""Quizzes: trainers edit questions and settings, trainees take attempts graded on the server."""

from __future__ import annotations

from flask import Flask

from elearn.courses.progress import lesson_progress_lookup
from elearn.quizzes.service.attempts import lessons_with_attempts
from elearn.quizzes.tasks import expire_attempts

__all__ = ["expire_attempts", "init_app"]


def init_app(app: Flask) -> None:
    """Answer the courses domain's progress lookup (importing this package registers the task)."""
    lesson_progress_lookup.connect(lessons_with_attempts)
