"""Freezing a quiz definition into what one attempt shows, and showing it without the key.

A definition question is the package format (``docs/content-format.md``): per-language maps.
A frozen question holds one language's texts and what its type presents (the option order the
trainee saw, opaque ids for matching and ordering entries), and ``key_data``, the key its type
keeps apart, which ``present`` strips unless the review policy allows revealing it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from elearn.quizzes import types
from elearn.quizzes.types.base import Definition, Freezing

Frozen = dict[str, Any]


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
    freezing = Freezing(language, fallback, rng, shuffle_options)
    parts = types.of(question).freeze(question, freezing)
    return {
        "key": question["key"],
        "type": question["type"],
        "points": float(question.get("points", 1)),
        "stem": freezing.text(question["stem"]),
        "feedback": freezing.text(question["feedback"]) if question.get("feedback") else None,
        **parts.presented,
        "key_data": parts.key,
    }


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
