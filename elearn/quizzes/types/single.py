"""Single choice: one correct option among several; all or nothing."""

from __future__ import annotations

from typing import Any

from elearn.quizzes.types import base, choices


class Single(base.QuestionType):
    name = "single"
    position = 1
    required = ("options",)

    def read(self, question: base.Written) -> dict[str, Any]:
        options = choices.read_options(question)
        correct = choices.correct_count(options)
        if correct != 1:
            question.fields.report(
                question.at("options"),
                f"A single-choice question needs exactly one correct option, not {correct}.",
            )
        return {"options": options}

    def document(self, question: base.Definition) -> dict[str, Any]:
        return {"options": choices.option_entries(question)}

    def freeze(self, question: base.Definition, freezing: base.Freezing) -> base.FrozenParts:
        return choices.freeze_options(question, freezing)

    def response_problem(self, frozen: base.Frozen, response: base.Response) -> str | None:
        if base.alone(response, "option") not in base.ids(frozen["options"]):
            return "Expected {'option': <one option id>}."
        return None

    def grade(self, frozen: base.Frozen, response: base.Response) -> float:
        return 1.0 if response["option"] in frozen["key_data"]["correct"] else 0.0


TYPE = Single()
