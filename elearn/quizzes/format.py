"""The quiz file format (docs/content-format.md, "Quizzes"): checking a file and normalising it.

Each question's type-specific fields are read by its type (``elearn.quizzes.types``). The
normalised definition fills every default, so attempts and grading never read the file;
content packages and the quiz editing API both check quizzes here, so they accept exactly the
same files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from elearn.formats.fields import Fields, at
from elearn.formats.problems import Problems
from elearn.formats.source import parse_yaml
from elearn.quizzes import types
from elearn.quizzes.types.base import Written

GRADING = ("highest", "last", "average", "first")
REVIEW = ("none", "score", "after_submission", "after_close", "after_pass_or_close")
SETTINGS = (
    "pass_mark",
    "time_limit_minutes",
    "max_attempts",
    "cooldown_minutes",
    "shuffle_questions",
    "shuffle_options",
    "grading",
    "review",
    "draw",
)
COMMON_FIELDS = ("pool", "points", "feedback")
STEM_MAX = 5_000


def read_quiz(
    path: str, text: str, languages: Sequence[str], pass_mark: int, problems: Problems
) -> dict[str, Any] | None:
    """The normalised definition of the quiz file ``text``, or None after recording every
    problem of the file (under ``path``)."""
    before = len(problems.found)
    document = parse_yaml(text, path, problems)
    fields = Fields(problems, path)
    top = fields.mapping(document, "", required=("format", "questions"), optional=("settings",))
    if top is None:
        return None
    if "format" in top and top["format"] != 1:
        fields.report("format", "Only format 1 is supported.")
    settings = _settings(fields, top.get("settings", {}), pass_mark)
    raw_questions = (
        fields.items(top["questions"], "questions", min_items=1) if "questions" in top else []
    )
    questions = [
        _question(fields, raw, f"questions[{number}]", languages)
        for number, raw in enumerate(raw_questions)
    ]
    fields.unique_keys(
        ((f"questions[{n}].key", q.get("key")) for n, q in enumerate(questions)), "question"
    )
    _check_draw(fields, settings["draw"], questions)
    if len(problems.found) > before:
        return None
    return {
        "format": 1,
        "languages": list(languages),
        "settings": settings,
        "questions": questions,
    }


def _settings(fields: Fields, value: Any, pass_mark: int) -> dict[str, Any]:
    given = fields.mapping(value, "settings", optional=SETTINGS) or {}

    def whole(name: str, default: int | None, minimum: int, maximum: int | None = None) -> Any:
        if name not in given:
            return default
        return fields.integer(given[name], at("settings", name), minimum=minimum, maximum=maximum)

    def flag(name: str) -> bool:
        return bool(name in given and fields.boolean(given[name], at("settings", name)))

    def option(name: str, options: Sequence[str], default: str) -> str | None:
        if name not in given:
            return default
        return fields.choice(given[name], at("settings", name), options)

    return {
        "pass_mark": whole("pass_mark", pass_mark, 0, 100),
        "time_limit_minutes": whole("time_limit_minutes", None, 1, 24 * 60),
        "max_attempts": whole("max_attempts", None, 1, 1000),
        "cooldown_minutes": whole("cooldown_minutes", 0, 0, 365 * 24 * 60),
        "shuffle_questions": flag("shuffle_questions"),
        "shuffle_options": flag("shuffle_options"),
        "grading": option("grading", GRADING, "highest"),
        "review": option("review", REVIEW, "after_submission"),
        "draw": _draw(fields, given.get("draw", [])),
    }


def _draw(fields: Fields, value: Any) -> list[dict[str, Any]]:
    rules = []
    for where, rule in fields.entries(value, "settings.draw", required=("pool", "count")):
        if "pool" in rule and "count" in rule:
            pool = fields.key(rule["pool"], at(where, "pool"))
            count = fields.integer(rule["count"], at(where, "count"), minimum=1)
            if pool is not None and count is not None:
                rules.append({"pool": pool, "count": count})
    return rules


def _check_draw(
    fields: Fields, draw: list[dict[str, Any]], questions: list[dict[str, Any]]
) -> None:
    fields.unique_keys(
        ((f"settings.draw[{n}].pool", r["pool"]) for n, r in enumerate(draw)), "pool"
    )
    for number, rule in enumerate(draw):
        available = sum(1 for question in questions if question.get("pool") == rule["pool"])
        if rule["count"] > available:
            fields.report(
                f"settings.draw[{number}].count",
                f"The pool {rule['pool']!r} has {available} question(s), fewer than "
                f"{rule['count']}.",
            )


def _question(fields: Fields, raw: Any, where: str, languages: Sequence[str]) -> dict[str, Any]:
    name = raw.get("type") if isinstance(raw, dict) else None
    kind = types.registry().get(name) if isinstance(name, str) else None
    required, optional = (kind.required, kind.optional) if kind is not None else ((), ())
    given = fields.mapping(
        raw,
        where,
        required=("key", "type", "stem", *required),
        optional=(*COMMON_FIELDS, *optional),
    )
    if given is None:
        return {}
    question: dict[str, Any] = {
        "key": fields.key(given.get("key"), at(where, "key")) if "key" in given else None,
        "type": fields.choice(name, at(where, "type"), types.names()) if "type" in given else None,
        "pool": fields.key(given["pool"], at(where, "pool")) if "pool" in given else None,
        "points": fields.number(given.get("points", 1), at(where, "points"), minimum=0.0),
        "stem": _texts(fields, given, "stem", where, languages, STEM_MAX),
        "feedback": _texts(fields, given, "feedback", where, languages, STEM_MAX),
    }
    if question["points"] == 0:
        fields.report(at(where, "points"), "Expected more than 0.")
    if kind is not None and all(field in given for field in required):
        question.update(kind.read(Written(fields, given, where, languages)))
    return question


def _texts(
    fields: Fields,
    given: dict[str, Any],
    name: str,
    where: str,
    languages: Sequence[str],
    limit: int,
) -> dict[str, str] | None:
    if name not in given:
        return None
    return fields.per_language(given[name], at(where, name), languages, max_length=limit)
