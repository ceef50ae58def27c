"""An attempt as its trainee may see it now, under the quiz's current review policy."""

from __future__ import annotations

from collections.abc import Callable

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
    finished = attempts.finish_if_overdue(attempt, settings)

    def standing() -> Standing:
        return attempts.standing_of(attempt, settings) if finished is None else finished

    return _shown(attempt, settings, standing, answers_allowed=answers_allowed)


def submit(attempt: Attempt, settings: QuizSettings) -> AttemptView:
    """Submit the attempt (see ``attempts.submit_attempt``) and show it as the policy allows."""
    after = attempts.submit_attempt(attempt, settings)
    return _shown(attempt, settings, lambda: after)


def _shown(
    attempt: Attempt,
    settings: QuizSettings,
    standing: Callable[[], Standing],
    *,
    answers_allowed: bool = True,
) -> AttemptView:
    shown = disclosure(attempt, settings.review, standing)
    if not answers_allowed:
        shown = Disclosure(score=shown.score)
    return attempt_view(attempt, settings, shown)
