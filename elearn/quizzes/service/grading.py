"""Grading of one answer against one frozen question, and of attempts against a grading method.

A frozen question is the JSON an attempt stores when it starts (see ``snapshot.py``): what the
trainee was shown, in which order, and the key (``key_data``) that never leaves the server
before the review policy allows. Scores are fractions in [0, 1] of the question's points; each
question type (``elearn.quizzes.types``) checks and grades its own responses, partial credit
included (multiple choice with ``scoring: partial``, matching).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from elearn.errors import Invalid
from elearn.quizzes import types


class GradingMethod(StrEnum):
    HIGHEST = "highest"
    LAST = "last"
    AVERAGE = "average"
    FIRST = "first"


def validate_response(question: Mapping[str, Any], response: Any) -> None:
    """Raise Invalid unless ``response`` has the shape the question's type expects."""
    problem = (
        types.of(question).response_problem(question, response)
        if isinstance(response, Mapping)
        else "An answer is an object."
    )
    if problem is not None:
        raise Invalid("The answer does not fit the question.", errors={question["key"]: [problem]})


def grade(question: Mapping[str, Any], response: Mapping[str, Any] | None) -> float:
    """The fraction of the question's points earned by ``response`` (None: unanswered)."""
    return 0.0 if response is None else types.of(question).grade(question, response)


def final_grade(method: GradingMethod, scores_in_order: Sequence[float]) -> float | None:
    """The grade that counts for a trainee's finished attempts (chronological order)."""
    if not scores_in_order:
        return None
    if method is GradingMethod.HIGHEST:
        return max(scores_in_order)
    if method is GradingMethod.LAST:
        return scores_in_order[-1]
    if method is GradingMethod.FIRST:
        return scores_in_order[0]
    return sum(scores_in_order) / len(scores_in_order)
