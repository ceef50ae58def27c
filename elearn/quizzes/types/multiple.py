"""Multiple choice: any number of correct options (at least one).

Scoring ``all_or_nothing`` (the default) earns the points only for exactly the correct set;
``partial`` earns (right picks - wrong picks) / correct options, never below 0.
"""

from __future__ import annotations

from typing import Any

from elearn.quizzes.types import base, choices

SCORING = ("all_or_nothing", "partial")


class Multiple(base.QuestionType):
    name = "multiple"
    position = 2
    required = ("options",)
    optional = ("scoring",)

    def read(self, question: base.Written) -> dict[str, Any]:
        options = choices.read_options(question)
        if choices.correct_count(options) < 1:
            question.fields.report(
                question.at("options"),
                "A multiple-choice question needs at least one correct option.",
            )
        scoring = question.given.get("scoring", SCORING[0])
        return {
            "options": options,
            "scoring": question.fields.choice(scoring, question.at("scoring"), SCORING),
        }

    def document(self, question: base.Definition) -> dict[str, Any]:
        document: dict[str, Any] = {}
        if question.get("scoring") != SCORING[0]:
            document["scoring"] = question["scoring"]
        document["options"] = choices.option_entries(question)
        return document

    def freeze(self, question: base.Definition, freezing: base.Freezing) -> base.FrozenParts:
        parts = choices.freeze_options(question, freezing)
        parts.presented["scoring"] = question.get("scoring", SCORING[0])
        return parts

    def response_problem(self, frozen: base.Frozen, response: base.Response) -> str | None:
        chosen = base.alone(response, "options")
        if (
            not isinstance(chosen, list)
            or not set(chosen) <= base.ids(frozen["options"])
            or len(set(chosen)) != len(chosen)
        ):
            return "Expected {'options': [distinct option ids]}."
        return None

    def grade(self, frozen: base.Frozen, response: base.Response) -> float:
        correct, chosen = set(frozen["key_data"]["correct"]), set(response["options"])
        if frozen.get("scoring") == "partial":
            earned = len(chosen & correct) - len(chosen - correct)
            return max(0.0, earned / len(correct))
        return 1.0 if chosen == correct else 0.0


TYPE = Multiple()
