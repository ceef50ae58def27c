"""Quizzes and attempts: who edits, takes, answers and reviews them."""

from __future__ import annotations

from elearn.policy import courses, enrolments
from elearn.policy.rules import Rule, Via, person
from elearn.quizzes.models import Attempt

# Questions with their answer keys, settings and statistics: the course's editors.
edit = courses.edit

# Whoever may see the course; the enrolments domain then requires an enrolment.
take = courses.visible

# Only the trainee answers and submits their own attempt.
answer = Rule("quizzes.answer", Attempt, person(Attempt.user_id))

# The trainee, the course's editors and the contact point of the trainee's administration:
# whoever sees the attempt's enrolment.
attempt_visible = Rule(
    "quizzes.attempt_visible", Attempt, Via(Attempt.enrolment, enrolments.visible.allow)
)

# Correct answers in a review: the trainee (when the review policy allows) and the course's
# editors. A contact point sees the score only: they may be a trainee too.
attempt_answers = Rule(
    "quizzes.attempt_answers",
    Attempt,
    person(Attempt.user_id) | Via(Attempt.enrolment, enrolments.EDITOR_OF_THE_COURSE),
)
