"""Ordering: items to put in their right order; all or nothing.

Frozen items get random ids and are shown in a uniform shuffle, which may keep the order: never
showing the right order would give it away (with two items, the reverse of what is shown).
"""

from __future__ import annotations

import secrets
from typing import Any

from elearn.quizzes.types import base


class Ordering(base.QuestionType):
    name = "ordering"
    position = 7
    required = ("items",)

    def read(self, question: base.Written) -> dict[str, Any]:
        fields = question.fields
        place = question.at("items")
        items = [
            fields.per_language(
                raw, f"{place}[{number}]", question.languages, max_length=base.OPTION_MAX
            )
            for number, raw in enumerate(fields.items(question.given["items"], place, min_items=2))
        ]
        return {"items": items}

    def document(self, question: base.Definition) -> dict[str, Any]:
        return {"items": question["items"]}

    def freeze(self, question: base.Definition, freezing: base.Freezing) -> base.FrozenParts:
        items = [
            {"id": secrets.token_hex(4), "text": freezing.text(item)} for item in question["items"]
        ]
        presented = items[:]
        freezing.rng.shuffle(presented)
        return base.FrozenParts({"items": presented}, {"order": [item["id"] for item in items]})

    def response_problem(self, frozen: base.Frozen, response: base.Response) -> str | None:
        order = base.alone(response, "order")
        if not isinstance(order, list) or sorted(order) != sorted(base.ids(frozen["items"])):
            return "Expected {'order': [every item id once]}."
        return None

    def grade(self, frozen: base.Frozen, response: base.Response) -> float:
        return 1.0 if list(response["order"]) == list(frozen["key_data"]["order"]) else 0.0


TYPE = Ordering()
