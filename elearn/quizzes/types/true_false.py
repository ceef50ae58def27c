"""True or false: a statement and whether it holds; all or nothing."""

from __future__ import annotations

from typing import Any

from elearn.quizzes.types import base


class TrueFalse(base.QuestionType):
    name = "true_false"
    position = 3
    required = ("answer",)

    def read(self, question: base.Written) -> dict[str, Any]:
        return {"answer": question.fields.boolean(question.given["answer"], question.at("answer"))}

    def document(self, question: base.Definition) -> dict[str, Any]:
        return {"answer": question["answer"]}

    def freeze(self, question: base.Definition, freezing: base.Freezing) -> base.FrozenParts:
        return base.FrozenParts({}, {"answer": bool(question["answer"])})

    def response_problem(self, frozen: base.Frozen, response: base.Response) -> str | None:
        if not isinstance(base.alone(response, "value"), bool):
            return "Expected {'value': true or false}."
        return None

    def grade(self, frozen: base.Frozen, response: base.Response) -> float:
        return 1.0 if response["value"] is frozen["key_data"]["answer"] else 0.0


TYPE = TrueFalse()
