"""What the quizzes endpoints share: the quiz or attempt as the caller may reach it."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from elearn import policy
from elearn.accounts.identity import about_caller, caller_id, current_actor
from elearn.accounts.models import User
from elearn.courses.queries import catalogue
from elearn.errors import NotFound
from elearn.quizzes.models import Attempt
from elearn.quizzes.service import attempts
from elearn.quizzes.service.quiz import Quiz, QuizSettings, find_quiz


def editable_quiz(actor: User, quiz_id: int) -> Quiz:
    """The quiz if ``actor`` edits its course: 404 when they cannot see the course, else 403."""
    quiz = find_quiz(quiz_id)
    policy.authorize(policy.courses.visible.check(actor, quiz.course), hide=True, what="quiz")
    policy.authorize(policy.quizzes.edit.check(actor, quiz.course))
    return quiz


@dataclass(frozen=True)
class Taker:
    """What taking a quiz asks of the caller: who they are, their language, and what they may
    see of courses (``policy.courses.catalogue_scope``, which decides ``policy.quizzes.take``)."""

    id: int
    language: str
    scope: Hashable


def _taker(actor: User) -> Taker:
    return Taker(actor.id, actor.language, policy.courses.catalogue_scope(actor))


def takeable_quiz(quiz_id: int, *, questions: bool = True) -> tuple[Quiz, Taker]:
    """The quiz if the caller may see its course (``policy.quizzes.take``; an enrolment is
    checked by the service), 404 otherwise; with a remembered token, judged from the holder's
    remembered scope and what this process remembers that scope sees, without reading the
    account (``about_caller``, ``catalogue.remembered_sighting``)."""
    taker = about_caller(_taker)
    quiz = find_quiz(quiz_id, questions=questions)
    try:
        catalogue.remembered_sighting(taker.scope, quiz.course.id, current_actor)
    except NotFound:
        policy.authorize(False, hide=True, what="quiz")
    return quiz, taker


def visible_attempt(actor: User, attempt_id: int) -> tuple[Attempt, bool]:
    """The attempt if ``actor`` may see it (404 otherwise: another trainee's is not revealed),
    and whether they may see its correct answers when the review policy shows them."""
    attempt = attempts.find_attempt(attempt_id)
    if policy.quizzes.answer.check(actor, attempt):
        return attempt, True
    _authorize_view(actor, attempt)
    return attempt, policy.quizzes.attempt_answers.check(actor, attempt)


def own_attempt(attempt_id: int) -> tuple[Attempt, QuizSettings]:
    """The caller's own attempt, held for writing, with its quiz's settings: 403 for others who
    may see it, else 404. Its own trainee is known by id alone (``caller_id``: a remembered
    token reads no account); anyone else is judged as the full user."""
    trainee_id = caller_id()
    attempt, settings = attempts.held_attempt(attempt_id)
    if attempt.user_id != trainee_id:  # ``policy.quizzes.answer`` refuses them
        actor = current_actor()
        if not policy.quizzes.answer.check(actor, attempt):
            _authorize_view(actor, attempt)
            policy.authorize(False)
    return attempt, settings


def _authorize_view(actor: User, attempt: Attempt) -> None:
    allowed = policy.quizzes.attempt_visible.check(actor, attempt)
    policy.authorize(allowed, hide=True, what="attempt")
