"""Grading of one answer against one frozen question, and of attempts against a grading method.

A frozen question is the JSON an attempt stores when it starts (see ``snapshot.py``): what the
trainee was shown, in which order, and the key (``key`` field) that never leaves the server
before the review policy allows. Scores are fractions in [0, 1] of the question's points.

Partial credit: multiple choice with ``scoring: partial`` scores (right picks - wrong picks) /
right options, never below 0; matching scores the share of correctly matched pairs; every other
type is all-or-nothing.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from elearn.errors import Invalid


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    NUMERIC = "numeric"
    SHORT_TEXT = "short_text"
    MATCHING = "matching"
    ORDERING = "ordering"


class GradingMethod(StrEnum):
    HIGHEST = "highest"
    LAST = "last"
    AVERAGE = "average"
    FIRST = "first"


MAX_TEXT_ANSWER = 500
Response = Mapping[str, Any]


def normalize_text(text: str) -> str:
    """Case-, width- and whitespace-insensitive form used to compare short text answers."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _invalid(question: Mapping[str, Any], message: str) -> Invalid:
    return Invalid("The answer does not fit the question.", errors={question["key"]: [message]})


def _ids(entries: Sequence[Mapping[str, Any]]) -> set[str]:
    return {entry["id"] for entry in entries}


def validate_response(question: Mapping[str, Any], response: Any) -> None:
    """Raise Invalid unless ``response`` has the shape the question's type expects."""
    if not isinstance(response, Mapping):
        raise _invalid(question, "An answer is an object.")
    kind = QuestionType(question["type"])
    if kind is QuestionType.SINGLE:
        if response.get("option") not in _ids(question["options"]) or len(response) != 1:
            raise _invalid(question, "Expected {'option': <one option id>}.")
    elif kind is QuestionType.MULTIPLE:
        chosen = response.get("options")
        if (
            len(response) != 1
            or not isinstance(chosen, list)
            or not set(chosen) <= _ids(question["options"])
            or len(set(chosen)) != len(chosen)
        ):
            raise _invalid(question, "Expected {'options': [distinct option ids]}.")
    elif kind is QuestionType.TRUE_FALSE:
        if len(response) != 1 or not isinstance(response.get("value"), bool):
            raise _invalid(question, "Expected {'value': true or false}.")
    elif kind is QuestionType.NUMERIC:
        value = response.get("value")
        if (
            len(response) != 1
            or isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise _invalid(question, "Expected {'value': <a finite number>}.")
    elif kind is QuestionType.SHORT_TEXT:
        text = response.get("text")
        if len(response) != 1 or not isinstance(text, str) or len(text) > MAX_TEXT_ANSWER:
            raise _invalid(question, f"Expected {{'text': <at most {MAX_TEXT_ANSWER} chars>}}.")
    elif kind is QuestionType.MATCHING:
        pairs = response.get("pairs")
        if (
            len(response) != 1
            or not isinstance(pairs, Mapping)
            or not set(pairs) <= _ids(question["left"])
            or not set(pairs.values()) <= _ids(question["right"])
        ):
            raise _invalid(question, "Expected {'pairs': {left id: right id}}.")
    elif kind is QuestionType.ORDERING:
        order = response.get("order")
        if (
            len(response) != 1
            or not isinstance(order, list)
            or sorted(order) != sorted(_ids(question["items"]))
        ):
            raise _invalid(question, "Expected {'order': [every item id once]}.")


def grade(question: Mapping[str, Any], response: Response | None) -> float:
    """The fraction of the question's points earned by ``response`` (None: unanswered)."""
    if response is None:
        return 0.0
    key = question["key_data"]
    kind = QuestionType(question["type"])
    if kind is QuestionType.SINGLE:
        return 1.0 if response["option"] in key["correct"] else 0.0
    if kind is QuestionType.MULTIPLE:
        correct, chosen = set(key["correct"]), set(response["options"])
        if question.get("scoring") == "partial":
            earned = len(chosen & correct) - len(chosen - correct)
            return max(0.0, earned / len(correct))
        return 1.0 if chosen == correct else 0.0
    if kind is QuestionType.TRUE_FALSE:
        return 1.0 if response["value"] is key["answer"] else 0.0
    if kind is QuestionType.NUMERIC:
        tolerance = float(key.get("tolerance", 0.0))
        return (
            1.0 if abs(float(response["value"]) - float(key["answer"])) <= tolerance + 1e-9 else 0.0
        )
    if kind is QuestionType.SHORT_TEXT:
        accepted = {normalize_text(text) for text in key["accepted"]}
        return 1.0 if normalize_text(response["text"]) in accepted else 0.0
    if kind is QuestionType.MATCHING:
        expected: Mapping[str, str] = key["pairs"]
        right = sum(1 for left, answer in response["pairs"].items() if expected.get(left) == answer)
        return right / len(expected)
    return 1.0 if list(response["order"]) == list(key["order"]) else 0.0


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
