"""Freezing a quiz definition into what one attempt shows, and showing it without the key.

A definition question is the package format (``docs/content-format.md``): per-language maps.
A frozen question holds one language's texts, the option order the trainee saw, opaque ids for
matching and ordering entries (so ids cannot give the answer away), and ``key_data``, which
``present`` strips unless the review policy allows revealing it.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from elearn.quizzes.service.grading import QuestionType

Definition = Mapping[str, Any]
Frozen = dict[str, Any]


def _text(texts: Mapping[str, str], language: str, fallback: str) -> str:
    return texts.get(language) or texts[fallback]


def draw(
    questions: Sequence[Definition], rules: Sequence[Mapping[str, Any]] | None, rng: random.Random
) -> list[Definition]:
    """The questions of one attempt, in quiz order: ``count`` drawn at random from each pool
    that has a rule, and every question outside those pools."""
    counts = {rule["pool"]: int(rule["count"]) for rule in rules or ()}
    chosen: set[str] = set()
    for pool, count in counts.items():
        members = [question["key"] for question in questions if question.get("pool") == pool]
        chosen.update(rng.sample(members, min(count, len(members))))
    return [
        question
        for question in questions
        if question.get("pool") not in counts or question["key"] in chosen
    ]


def freeze(
    question: Definition,
    language: str,
    fallback: str,
    rng: random.Random,
    *,
    shuffle_options: bool,
) -> Frozen:
    """One question as this attempt will show and grade it, whatever edits come later."""
    kind = QuestionType(question["type"])
    frozen: Frozen = {
        "key": question["key"],
        "type": kind.value,
        "points": float(question.get("points", 1)),
        "stem": _text(question["stem"], language, fallback),
        "feedback": _text(question["feedback"], language, fallback)
        if question.get("feedback")
        else None,
    }

    def shuffled(entries: list[Any]) -> list[Any]:
        if shuffle_options:
            rng.shuffle(entries)
        return entries

    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        options = question["options"]
        frozen["options"] = shuffled(
            [{"id": o["key"], "text": _text(o["text"], language, fallback)} for o in options]
        )
        frozen["key_data"] = {"correct": [o["key"] for o in options if o.get("correct")]}
        if kind is QuestionType.MULTIPLE:
            frozen["scoring"] = question.get("scoring", "all_or_nothing")
    elif kind is QuestionType.TRUE_FALSE:
        frozen["key_data"] = {"answer": bool(question["answer"])}
    elif kind is QuestionType.NUMERIC:
        frozen["key_data"] = {
            "answer": float(question["answer"]),
            "tolerance": float(question.get("tolerance", 0)),
        }
    elif kind is QuestionType.SHORT_TEXT:
        accepted = question["accepted"]
        frozen["key_data"] = {
            "accepted": sorted({*accepted.get(language, []), *accepted.get(fallback, [])})
        }
    elif kind is QuestionType.MATCHING:
        lefts, rights, pairs = [], [], {}
        for pair in question["pairs"]:
            left_id, right_id = secrets.token_hex(4), secrets.token_hex(4)
            lefts.append({"id": left_id, "text": _text(pair["left"], language, fallback)})
            rights.append({"id": right_id, "text": _text(pair["right"], language, fallback)})
            pairs[left_id] = right_id
        frozen["left"] = lefts
        rng.shuffle(rights)
        frozen["right"] = rights
        frozen["key_data"] = {"pairs": pairs}
    else:
        items = [
            {"id": secrets.token_hex(4), "text": _text(item, language, fallback)}
            for item in question["items"]
        ]
        frozen["key_data"] = {"order": [item["id"] for item in items]}
        # A uniform shuffle, which may keep the order: never showing the right order would
        # give it away (with two items, the reverse of what is shown).
        presented = items[:]
        rng.shuffle(presented)
        frozen["items"] = presented
    return frozen


def freeze_attempt(
    definition: Mapping[str, Any], language: str, fallback: str, rng: random.Random | None = None
) -> list[Frozen]:
    """Draw, order and freeze the questions of a new attempt."""
    rng = rng or random.SystemRandom()
    settings = definition.get("settings", {})
    questions = draw(definition["questions"], settings.get("draw"), rng)
    if settings.get("shuffle_questions", False):
        rng.shuffle(questions)
    shuffle_options = bool(settings.get("shuffle_options", False))
    return [
        freeze(question, language, fallback, rng, shuffle_options=shuffle_options)
        for question in questions
    ]


def present(frozen: Mapping[str, Any], *, reveal: bool) -> dict[str, Any]:
    """What the trainee may see of a frozen question: the key and feedback only if ``reveal``."""
    shown = {name: value for name, value in frozen.items() if name not in {"key_data", "feedback"}}
    if reveal:
        shown["correct_answer"] = frozen["key_data"]
        shown["feedback"] = frozen.get("feedback")
    return shown
