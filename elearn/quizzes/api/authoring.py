"""Editing quizzes (course owners and admins): settings, questions with keys, statistics."""

from __future__ import annotations

from typing import Any

from elearn.accounts.identity import current_actor
from elearn.inputs import Blueprint
from elearn.quizzes import queries as views
from elearn.quizzes.api.access import editable_quiz
from elearn.quizzes.schemas import (
    EditorQuizSchema,
    QuestionSchema,
    QuizSettingsSchema,
    QuizStatisticsSchema,
)
from elearn.quizzes.service import authoring, statistics

quizzes_blp = Blueprint(
    "quizzes",
    __name__,
    url_prefix="/api/v1/quizzes",
    description="Quizzes: settings and questions (the id is the quiz lesson's id)",
)


@quizzes_blp.route("/<int:quiz_id>")
@quizzes_blp.response(200, EditorQuizSchema)
def get_quiz(quiz_id: int) -> views.EditorQuiz:
    """Settings and every question with its answer key (editors of the course)."""
    return views.editor_quiz(editable_quiz(current_actor(), quiz_id))


@quizzes_blp.route("/<int:quiz_id>/settings", methods=["PATCH"])
@quizzes_blp.arguments(QuizSettingsSchema)
@quizzes_blp.response(200, EditorQuizSchema)
def update_settings(changes: dict[str, Any], quiz_id: int) -> views.EditorQuiz:
    """Change settings (null restores a default); the whole quiz is checked again (422)."""
    quiz = editable_quiz(current_actor(), quiz_id)
    return views.editor_quiz(authoring.update_settings(quiz, changes))


@quizzes_blp.route("/<int:quiz_id>/questions", methods=["POST"])
@quizzes_blp.arguments(QuestionSchema)
@quizzes_blp.response(201, EditorQuizSchema)
def add_question(question: dict[str, Any], quiz_id: int) -> views.EditorQuiz:
    """Append a question in the package format; 409 when its key is taken."""
    quiz = editable_quiz(current_actor(), quiz_id)
    return views.editor_quiz(authoring.add_question(quiz, question))


@quizzes_blp.route("/<int:quiz_id>/questions/<key>", methods=["PUT"])
@quizzes_blp.arguments(QuestionSchema)
@quizzes_blp.response(200, EditorQuizSchema)
def replace_question(question: dict[str, Any], quiz_id: int, key: str) -> views.EditorQuiz:
    """Replace a question (running and finished attempts keep the version they froze)."""
    quiz = editable_quiz(current_actor(), quiz_id)
    return views.editor_quiz(authoring.replace_question(quiz, key, question))


@quizzes_blp.route("/<int:quiz_id>/questions/<key>", methods=["DELETE"])
@quizzes_blp.response(204)
def delete_question(quiz_id: int, key: str) -> None:
    """Remove a question; 422 when the quiz would be left broken."""
    authoring.delete_question(editable_quiz(current_actor(), quiz_id), key)


@quizzes_blp.route("/<int:quiz_id>/statistics")
@quizzes_blp.response(200, QuizStatisticsSchema)
def quiz_statistics(quiz_id: int) -> dict[str, Any]:
    """Per question: finished attempts that asked it, answers, share fully correct, mean score."""
    quiz = editable_quiz(current_actor(), quiz_id)
    return {"quiz_id": quiz.id, "questions": statistics.question_statistics(quiz)}
