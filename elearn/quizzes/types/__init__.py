"""The question types: one module per type, each defining ``TYPE`` (see ``base.QuestionType``).

The registry is every module of this package that defines ``TYPE``, so adding a type is adding
its module (and documenting it in docs/content-format.md); the quiz format, the snapshot and
grading only look types up here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache
from typing import Any

from elearn.quizzes.types.base import QuestionType


@cache
def registry() -> dict[str, QuestionType]:
    """Every question type by name, in the order of their ``position``."""
    found = []
    for module in pkgutil.iter_modules(__path__):
        kind = getattr(importlib.import_module(f"{__name__}.{module.name}"), "TYPE", None)
        if isinstance(kind, QuestionType):
            found.append(kind)
    return {kind.name: kind for kind in sorted(found, key=lambda kind: kind.position)}


def names() -> tuple[str, ...]:
    return tuple(registry())


def of(question: Mapping[str, Any]) -> QuestionType:
    """The type of a question (of a definition or frozen; its type was checked when written)."""
    return registry()[question["type"]]
