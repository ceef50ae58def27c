"""An attempt as its trainee may see it now, under the quiz's current review policy."""

from __future__ import annotations

from elearn import clock
from elearn.quizzes.models import Attempt
from elearn.quizzes.queries import AttemptView, Disclosure, attempt_view, disclosure
from elearn.quizzes.service import attempts
from elearn.quizzes.service.quiz import QuizSettings, settings_of_lesson
from elearn.quizzes.service.standing import Standing


def attempt_for_trainee(
    attempt: Attempt, settings: QuizSettings | None = None, *, answers_allowed: bool = True
) -> AttemptView:
    """The attempt (finalised first when its time is up) with what the review policy discloses;
    answer keys only once the policy allows them, and never to a viewer not ``answers_allowed``
    (a contact point)."""
    settings = settings or settings_of_lesson(attempt.lesson_id, attempt.pass_mark)
    attempts.finish_if_overdue(attempt, settings)
    return _shown(attempt, settings, answers_allowed=answers_allowed)


def submit(attempt: Attempt) -> AttemptView:
    """Submit the attempt (see ``attempts.submit_attempt``) and show it as the policy allows."""
    settings = settings_of_lesson(attempt.lesson_id, attempt.pass_mark)
    attempts.submit_attempt(attempt, settings)
    return _shown(attempt, settings)


def _shown(
    attempt: Attempt, settings: QuizSettings, *, answers_allowed: bool = True
) -> AttemptView:
    def standing() -> Standing:
        enrolment = attempt.enrolment
        history = attempts.attempts_of(enrolment.id, attempt.lesson_id)
        return Standing(settings, enrolment, history, clock.now())

    shown = disclosure(attempt, settings.review, standing)
    if not answers_allowed:
        shown = Disclosure(score=shown.score)
    return attempt_view(attempt, settings, shown)
