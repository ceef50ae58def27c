"""Checking a quiz file (docs/content-format.md, "Quizzes") and normalising it to JSON.

The normalised definition fills every default, so the quizzes domain can take it over without
knowing the file format; the file itself is kept as written for export.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from elearn.courses.packages.fields import Fields, at
from elearn.courses.packages.model import QuizFile
from elearn.courses.packages.problems import Problems
from elearn.courses.packages.source import parse_yaml

QUESTION_TYPES = (
    "single",
    "multiple",
    "true_false",
    "numeric",
    "short_text",
    "matching",
    "ordering",
)
GRADING = ("highest", "last", "average", "first")
REVIEW = ("none", "score", "after_submission", "after_close", "after_pass_or_close")
SCORING = ("all_or_nothing", "partial")
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
TYPE_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "single": (("options",), ()),
    "multiple": (("options",), ("scoring",)),
    "true_false": (("answer",), ()),
    "numeric": (("answer",), ("tolerance",)),
    "short_text": (("accepted",), ()),
    "matching": (("pairs",), ()),
    "ordering": (("items",), ()),
}
STEM_MAX = 5_000
OPTION_MAX = 1_000


def read_quiz(
    path: str, text: str, languages: Sequence[str], pass_mark: int, problems: Problems
) -> QuizFile | None:
    """The checked quiz, or None after recording every problem of the file."""
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
    definition = {
        "format": 1,
        "languages": list(languages),
        "settings": settings,
        "questions": questions,
    }
    return QuizFile(path=path, source=text, definition=definition)


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
    kind = raw.get("type") if isinstance(raw, dict) else None
    required, optional = TYPE_FIELDS.get(kind, ((), ())) if isinstance(kind, str) else ((), ())
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
        "type": fields.choice(kind, at(where, "type"), QUESTION_TYPES) if "type" in given else None,
        "pool": fields.key(given["pool"], at(where, "pool")) if "pool" in given else None,
        "points": fields.number(given.get("points", 1), at(where, "points"), minimum=0.0),
        "stem": _texts(fields, given, "stem", where, languages, STEM_MAX),
        "feedback": _texts(fields, given, "feedback", where, languages, STEM_MAX),
    }
    if question["points"] == 0:
        fields.report(at(where, "points"), "Expected more than 0.")
    if question["type"] in TYPE_FIELDS and all(name in given for name in required):
        question.update(_ANSWERS[question["type"]](fields, given, where, languages))
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


def _choices(
    fields: Fields, given: dict[str, Any], where: str, languages: Sequence[str]
) -> dict[str, Any]:
    place = at(where, "options")
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
            given["options"], place, required=("key", "text"), optional=("correct",), min_items=2
        )
    ]
    fields.unique_keys(((f"{place}[{n}].key", o["key"]) for n, o in enumerate(options)), "option")
    correct = sum(option["correct"] for option in options)
    if given["type"] == "single" and correct != 1:
        fields.report(
            place, f"A single-choice question needs exactly one correct option, not {correct}."
        )
    if given["type"] == "multiple" and correct < 1:
        fields.report(place, "A multiple-choice question needs at least one correct option.")
    answer: dict[str, Any] = {"options": options}
    if given["type"] == "multiple":
        scoring = given.get("scoring", SCORING[0])
        answer["scoring"] = fields.choice(scoring, at(where, "scoring"), SCORING)
    return answer


def _true_false(
    fields: Fields, given: dict[str, Any], where: str, languages: Sequence[str]
) -> dict[str, Any]:
    return {"answer": fields.boolean(given["answer"], at(where, "answer"))}


def _numeric(
    fields: Fields, given: dict[str, Any], where: str, languages: Sequence[str]
) -> dict[str, Any]:
    return {
        "answer": fields.number(given["answer"], at(where, "answer")),
        "tolerance": fields.number(given.get("tolerance", 0), at(where, "tolerance"), minimum=0.0),
    }


def _short_text(
    fields: Fields, given: dict[str, Any], where: str, languages: Sequence[str]
) -> dict[str, Any]:
    place = at(where, "accepted")
    accepted = fields.mapping(given["accepted"], place, required=languages) or {}
    answers: dict[str, list[str]] = {}
    for language in languages:
        if language in accepted:
            items = fields.items(accepted[language], at(place, language), min_items=1)
            texts = [
                fields.text(item, f"{at(place, language)}[{n}]", max_length=OPTION_MAX)
                for n, item in enumerate(items)
            ]
            answers[language] = [text for text in texts if text is not None]
    return {"accepted": answers}


def _matching(
    fields: Fields, given: dict[str, Any], where: str, languages: Sequence[str]
) -> dict[str, Any]:
    place = at(where, "pairs")
    pairs: list[dict[str, Any]] = [
        {
            side: fields.per_language(
                pair.get(side), at(pair_where, side), languages, max_length=OPTION_MAX
            )
            for side in ("left", "right")
        }
        for pair_where, pair in fields.entries(
            given["pairs"], place, required=("left", "right"), min_items=2
        )
    ]
    for side in ("left", "right"):
        for language in languages:
            texts = [pair[side][language] for pair in pairs if pair[side]]
            if len(set(texts)) != len(texts):
                fields.report(place, f"Each {side} item appears once ({language}).")
    return {"pairs": pairs}


def _ordering(
    fields: Fields, given: dict[str, Any], where: str, languages: Sequence[str]
) -> dict[str, Any]:
    place = at(where, "items")
    items = [
        fields.per_language(raw, f"{place}[{number}]", languages, max_length=OPTION_MAX)
        for number, raw in enumerate(fields.items(given["items"], place, min_items=2))
    ]
    return {"items": items}


_ANSWERS = {
    "single": _choices,
    "multiple": _choices,
    "true_false": _true_false,
    "numeric": _numeric,
    "short_text": _short_text,
    "matching": _matching,
    "ordering": _ordering,
}
