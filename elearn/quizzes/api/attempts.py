"""Taking quizzes: start an attempt, save answers, submit, and the trainee's result."""

from __future__ import annotations

from typing import Any

from flask import Response

from elearn import uow
from elearn.accounts.identity import caller_id, current_actor
from elearn.hot_routes import HotAnswer, HotRequest, HotRoute
from elearn.inputs import Blueprint
from elearn.json_encoding import encode
from elearn.negotiation import requested_language
from elearn.quizzes import queries as views
from elearn.quizzes.api.access import (
    own_attempt,
    takeable_quiz,
    visible_attempt,
)
from elearn.quizzes.schemas import (
    AnswersSchema,
    AttemptProgressSchema,
    AttemptSchema,
    QuizResultSchema,
    StartArgs,
)
from elearn.quizzes.service import answers, attempts, review, submission

attempts_blp = Blueprint(
    "quiz-attempts", __name__, url_prefix="/api/v1", description="Quiz attempts and results"
)


def _attempt_response(view: views.AttemptView, status: int = 200) -> Response:
    """The attempt as ``AttemptSchema`` documents it, written without marshmallow."""
    answer = _attempt_answer(view)
    document = encode(answer.document)
    return Response(document, status=status, mimetype="application/json", headers=answer.headers)


def _attempt_answer(view: views.AttemptView) -> HotAnswer:
    return HotAnswer(views.attempt_document(view), (("Content-Language", view.language),))


@attempts_blp.route("/quizzes/<int:quiz_id>/attempts", methods=["POST"])
@attempts_blp.arguments(StartArgs, location="query")
@attempts_blp.response(201, AttemptSchema)
@attempts_blp.alt_response(200, schema=AttemptSchema, description="The attempt already running")
def start_attempt(args: dict[str, Any], quiz_id: int) -> Response:
    """Start an attempt (enrolled trainees), or get the one running. 409 when the attempt
    limit is used up, during the cooldown (``next_attempt_at``) or after the course run."""
    quiz, taker = takeable_quiz(quiz_id)
    language = requested_language(args["lang"]) or taker.language
    attempt, created = attempts.start_attempt(taker.id, quiz, language)
    return _attempt_response(
        review.attempt_for_trainee(attempt, quiz.settings), 201 if created else 200
    )


@attempts_blp.route("/quizzes/<int:quiz_id>/result")
@attempts_blp.response(200, QuizResultSchema)
def quiz_result(quiz_id: int) -> views.QuizResult:
    """The caller's standing: attempts used and left, grade, passed, next attempt time."""
    quiz, taker = takeable_quiz(quiz_id, questions=False)
    return views.quiz_result(quiz, attempts.quiz_standing(taker.id, quiz))


@attempts_blp.route("/attempts/<int:attempt_id>")
@attempts_blp.response(200, AttemptSchema)
def get_attempt(attempt_id: int) -> Response:
    """An attempt with the saved answers; score and correct answers as the review policy allows
    (the trainee's contact point sees the score, never the correct answers)."""
    attempt, answers_allowed = visible_attempt(current_actor(), attempt_id)
    return _attempt_response(review.attempt_for_trainee(attempt, answers_allowed=answers_allowed))


@attempts_blp.route("/attempts/<int:attempt_id>/answers", methods=["PUT"])
@attempts_blp.arguments(AnswersSchema)
@attempts_blp.response(200, AttemptProgressSchema)
@uow.statements_first_commit_themselves
def save_answers(body: dict[str, Any], attempt_id: int) -> Response:
    """Save one or several answers, all or none (422 naming each bad one; 409 once the
    attempt is submitted or its time is up)."""
    saved = answers.save_own_answers(caller_id(), attempt_id, body["answers"])
    if saved is None:
        uow.one_transaction()
        saved = attempts.save_answers(*own_attempt(attempt_id), body["answers"])
    return Response(encode(_progress(saved)), mimetype="application/json")


def _progress(saved: answers.Saved) -> dict[str, Any]:
    return views.progress_document(views.attempt_progress(saved))


def save_own_answers(request: HotRequest) -> HotAnswer | None:
    """``save_answers``'s fast path alone, for ``elearn.hot_routes``: None where it needs the
    checked path."""
    attempt_id, trainee_id = request.path["attempt_id"], request.caller_id
    saved = answers.save_own_answers(trainee_id, attempt_id, request.body["answers"])
    return None if saved is None else HotAnswer(_progress(saved))


@attempts_blp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@attempts_blp.response(200, AttemptSchema)
@uow.statements_first_commit_themselves
def submit_attempt(attempt_id: int) -> Response:
    """Grade and close the attempt; submitting again returns the same result."""
    view = submission.submit_own_attempt(caller_id(), attempt_id)
    if view is None:
        uow.one_transaction()
        view = review.submit(*own_attempt(attempt_id))
    return _attempt_response(view)


def submit_own_attempt(request: HotRequest) -> HotAnswer | None:
    """``submit_attempt``'s fast path alone, for ``elearn.hot_routes``: None where it needs the
    checked path."""
    view = submission.submit_own_attempt(request.caller_id, request.path["attempt_id"])
    return None if view is None else _attempt_answer(view)


HOT_ROUTES = (
    HotRoute("quiz-attempts.save_answers", save_own_answers, AnswersSchema),
    HotRoute("quiz-attempts.submit_attempt", submit_own_attempt),
)
