"""A normalised quiz definition back into its package file (docs/content-format.md, "Quizzes").

The inverse of ``elearn.quizzes.format``: the same definition always gives the same
text, and reading that text gives the same definition back, so a quiz edited through the API
exports as a file that re-imports unchanged. Values equal to the format's defaults are left out
(except the pass mark, written so the quiz keeps it if the course's pass mark changes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from elearn.formats.source import dump_yaml
from elearn.quizzes import types

FORMAT = 1
SETTING_DEFAULTS: dict[str, Any] = {
    "time_limit_minutes": None,
    "max_attempts": None,
    "cooldown_minutes": 0,
    "shuffle_questions": False,
    "shuffle_options": False,
    "draw": [],
}


def render(document: Mapping[str, Any]) -> str:
    """A quiz document (``settings`` and ``questions`` as in the file) as the file's text."""
    return dump_yaml({"format": FORMAT, **document})


def quiz_document(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The file-shaped document of a normalised definition."""
    return {
        "settings": settings_document(definition["settings"]),
        "questions": [question_document(question) for question in definition["questions"]],
    }


def settings_document(settings: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: _plain(value)
        for name, value in settings.items()
        if name not in SETTING_DEFAULTS or value != SETTING_DEFAULTS[name]
    }


def question_document(question: Mapping[str, Any]) -> dict[str, Any]:
    kind = question["type"]
    document: dict[str, Any] = {"key": question["key"], "type": kind}
    if question.get("pool") is not None:
        document["pool"] = question["pool"]
    if question.get("points", 1) != 1:
        document["points"] = _plain(question["points"])
    document["stem"] = dict(question["stem"])
    document.update(
        (name, _plain(value)) for name, value in types.of(question).document(question).items()
    )
    if question.get("feedback") is not None:
        document["feedback"] = dict(question["feedback"])
    return document


def _plain(value: Any) -> Any:
    """Whole floats written as integers (``points: 2``, not ``2.0``); the reader reads floats."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value
