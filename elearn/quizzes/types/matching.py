"""Matching: left items paired with right items; each right pair earns its share of the points.

Frozen entries get random ids, so the ids cannot give the pairs away; the right column is shown
shuffled.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from elearn.formats.fields import at
from elearn.quizzes.types import base

SIDES = ("left", "right")


class Matching(base.QuestionType):
    name = "matching"
    position = 6
    required = ("pairs",)

    def read(self, question: base.Written) -> dict[str, Any]:
        fields, languages = question.fields, question.languages
        place = question.at("pairs")
        pairs: list[dict[str, Any]] = [
            {
                side: fields.per_language(
                    pair.get(side), at(pair_where, side), languages, max_length=base.OPTION_MAX
                )
                for side in SIDES
            }
            for pair_where, pair in fields.entries(
                question.given["pairs"], place, required=SIDES, min_items=2
            )
        ]
        for side in SIDES:
            for language in languages:
                texts = [pair[side][language] for pair in pairs if pair[side]]
                if len(set(texts)) != len(texts):
                    fields.report(place, f"Each {side} item appears once ({language}).")
        return {"pairs": pairs}

    def document(self, question: base.Definition) -> dict[str, Any]:
        return {"pairs": question["pairs"]}

    def freeze(self, question: base.Definition, freezing: base.Freezing) -> base.FrozenParts:
        lefts, rights, pairs = [], [], {}
        for pair in question["pairs"]:
            left_id, right_id = secrets.token_hex(4), secrets.token_hex(4)
            lefts.append({"id": left_id, "text": freezing.text(pair["left"])})
            rights.append({"id": right_id, "text": freezing.text(pair["right"])})
            pairs[left_id] = right_id
        freezing.rng.shuffle(rights)
        return base.FrozenParts({"left": lefts, "right": rights}, {"pairs": pairs})

    def response_problem(self, frozen: base.Frozen, response: base.Response) -> str | None:
        pairs = base.alone(response, "pairs")
        if (
            not isinstance(pairs, Mapping)
            or not set(pairs) <= base.ids(frozen["left"])
            or not set(pairs.values()) <= base.ids(frozen["right"])
        ):
            return "Expected {'pairs': {left id: right id}}."
        return None

    def grade(self, frozen: base.Frozen, response: base.Response) -> float:
        expected: Mapping[str, str] = frozen["key_data"]["pairs"]
        right = sum(1 for left, answer in response["pairs"].items() if expected.get(left) == answer)
        return right / len(expected)


TYPE = Matching()
