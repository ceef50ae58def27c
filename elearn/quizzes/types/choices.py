"""What single and multiple choice questions share: options with keys, texts, correct ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from elearn.formats.fields import at
from elearn.quizzes.types.base import OPTION_MAX, Definition, Freezing, FrozenParts, Written


def read_options(question: Written) -> list[dict[str, Any]]:
    """The question's options (at least two, unique keys), each with ``correct`` filled."""
    fields, languages = question.fields, question.languages
    place = question.at("options")
    options: list[dict[str, Any]] = [
        {
            "key": fields.key(option.get("key"), at(option_where, "key")),
            "text": fields.per_language(
                option.get("text"), at(option_where, "text"), languages, max_length=OPTION_MAX
            ),
            "correct": bool(
                fields.boolean(option.get("correct", False), at(option_where, "correct"))
            ),
        }
        for option_where, option in fields.entries(
            question.given["options"],
            place,
            required=("key", "text"),
            optional=("correct",),
            min_items=2,
        )
    ]
    fields.unique_keys(((f"{place}[{n}].key", o["key"]) for n, o in enumerate(options)), "option")
    return options


def option_entries(question: Definition) -> list[dict[str, Any]]:
    """The options as the quiz file writes them (``correct`` only on the correct ones)."""
    entries = []
    for option in question["options"]:
        entry = {"key": option["key"], "text": dict(option["text"])}
        if option.get("correct"):
            entry["correct"] = True
        entries.append(entry)
    return entries


def freeze_options(question: Definition, freezing: Freezing) -> FrozenParts:
    """The options in the order this attempt shows them; the key lists the correct ones."""
    options = question["options"]
    presented = [{"id": o["key"], "text": freezing.text(o["text"])} for o in options]
    if freezing.shuffle_options:
        freezing.rng.shuffle(presented)
    return FrozenParts(
        {"options": presented}, {"correct": [o["key"] for o in options if o.get("correct")]}
    )


def correct_count(options: Sequence[Mapping[str, Any]]) -> int:
    return sum(option["correct"] for option in options)
