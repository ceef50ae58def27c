"""What a question type is: the one place that knows a kind of question.

A type reads its part of a quiz file (the package schema and its validation), writes it back,
freezes a definition question into what one attempt shows plus the key kept apart, checks the
shape of a trainee's response and grades it. ``elearn.quizzes.types`` collects the types; the
quiz format, the snapshot and grading iterate that registry and never name a type.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from elearn.formats.fields import Fields, at

# A question of a normalised definition (the package format: per-language texts).
Definition = Mapping[str, Any]
# A question as an attempt froze it: one language, the order shown, and ``key_data``.
Frozen = Mapping[str, Any]
Response = Mapping[str, Any]
OPTION_MAX = 1_000


@dataclass(frozen=True)
class Written:
    """A question of a quiz file being read: its mapping, where it stands, the quiz's languages;
    problems go to ``fields``."""

    fields: Fields
    given: dict[str, Any]
    where: str
    languages: Sequence[str]

    def at(self, name: str) -> str:
        return at(self.where, name)


@dataclass(frozen=True)
class Freezing:
    """How an attempt freezes its questions: texts in ``language`` (or ``fallback`` where
    missing), shuffles drawn from ``rng``, options shuffled or not."""

    language: str
    fallback: str
    rng: random.Random
    shuffle_options: bool

    def text(self, texts: Mapping[str, str]) -> str:
        return texts.get(self.language) or texts[self.fallback]


@dataclass(frozen=True)
class FrozenParts:
    """What a trainee sees of a question (without the key), and the key kept for grading."""

    presented: dict[str, Any]
    key: dict[str, Any]


class QuestionType(ABC):
    """One kind of question; ``position`` orders the kinds in lists and messages."""

    name: ClassVar[str]
    position: ClassVar[int]
    required: ClassVar[tuple[str, ...]]
    optional: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def read(self, question: Written) -> dict[str, Any]:
        """The type's fields of a quiz file question, normalised."""

    @abstractmethod
    def document(self, question: Definition) -> dict[str, Any]:
        """The type's fields as the quiz file writes them, in the file's order (defaults left
        out)."""

    @abstractmethod
    def freeze(self, question: Definition, freezing: Freezing) -> FrozenParts:
        """The question as one attempt presents it, and its key."""

    @abstractmethod
    def response_problem(self, frozen: Frozen, response: Response) -> str | None:
        """Why ``response`` does not have the shape this question expects, or None."""

    @abstractmethod
    def grade(self, frozen: Frozen, response: Response) -> float:
        """The fraction of the question's points a well-shaped ``response`` earns."""


def ids(entries: Sequence[Mapping[str, Any]]) -> set[str]:
    return {entry["id"] for entry in entries}


def alone(response: Response, name: str) -> Any:
    """The response's only field ``name``; None when it has others or lacks it."""
    return response.get(name) if len(response) == 1 else None
