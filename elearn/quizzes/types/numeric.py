"""Numeric: a number, right within an absolute ``tolerance`` (0 by default); all or nothing."""

from __future__ import annotations

import math
from typing import Any

from elearn.quizzes.types import base

# Answers compare as floats: 0.1 + 0.2 must match 0.3 with no tolerance.
EPSILON = 1e-9


class Numeric(base.QuestionType):
    name = "numeric"
    position = 4
    required = ("answer",)
    optional = ("tolerance",)

    def read(self, question: base.Written) -> dict[str, Any]:
        fields = question.fields
        return {
            "answer": fields.number(question.given["answer"], question.at("answer")),
            "tolerance": fields.number(
                question.given.get("tolerance", 0), question.at("tolerance"), minimum=0.0
            ),
        }

    def document(self, question: base.Definition) -> dict[str, Any]:
        document = {"answer": question["answer"]}
        if question.get("tolerance") != 0.0:
            document["tolerance"] = question["tolerance"]
        return document

    def freeze(self, question: base.Definition, freezing: base.Freezing) -> base.FrozenParts:
        key = {
            "answer": float(question["answer"]),
            "tolerance": float(question.get("tolerance", 0)),
        }
        return base.FrozenParts({}, key)

    def response_problem(self, frozen: base.Frozen, response: base.Response) -> str | None:
        value = base.alone(response, "value")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            return "Expected {'value': <a finite number>}."
        return None

    def grade(self, frozen: base.Frozen, response: base.Response) -> float:
        key = frozen["key_data"]
        tolerance = float(key.get("tolerance", 0.0))
        distance = abs(float(response["value"]) - float(key["answer"]))
        return 1.0 if distance <= tolerance + EPSILON else 0.0


TYPE = Numeric()
