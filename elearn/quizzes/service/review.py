"""An attempt as its trainee may see it now, under the quiz's current review policy."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from elearn.quizzes.models import Attempt
from elearn.quizzes.queries import (
    AttemptView,
    Disclosure,
    ShownAnswer,
    attempt_view,
    disclosure,
)
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

    return shown(attempt, settings, standing, answers_allowed=answers_allowed)


def submit(attempt: Attempt, settings: QuizSettings) -> AttemptView:
    """Submit the attempt (see ``attempts.submit_attempt``) and show it as the policy allows."""
    after = attempts.submit_attempt(attempt, settings)
    return shown(attempt, settings, lambda: after)


def shown(
    attempt: Attempt,
    settings: QuizSettings,
    standing: Callable[[], Standing],
    *,
    answers_allowed: bool = True,
    answers: Mapping[str, ShownAnswer] | None = None,
) -> AttemptView:
    """The attempt as the review policy lets its trainee (or, not ``answers_allowed``, their
    contact point) see it now, with its ``answers`` by question key (by default its rows)."""
    disclosed = disclosure(attempt, settings.review, standing)
    if not answers_allowed:
        disclosed = Disclosure(score=disclosed.score)
    return attempt_view(attempt, settings, disclosed, answers)
