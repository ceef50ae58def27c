"""Request shapes of the quizzes API.

Settings and questions travel in the package format (docs/content-format.md, "Quizzes") and are
checked by the courses package validator with the rest of the quiz, so these schemas only
document the fields and pass them on; answers are checked against their frozen questions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import marshmallow as ma

from elearn.schemas import StrictSchema, language


def _documented(kind: str, description: str, **extra: Any) -> ma.fields.Raw:
    return ma.fields.Raw(
        allow_none=True, metadata={"type": kind, "description": description, **extra}
    )


def _non_finite(value: Any, where: str) -> Iterator[str]:
    if isinstance(value, float) and not math.isfinite(value):
        yield where
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _non_finite(item, f"{where}.{name}" if where else str(name))
    elif isinstance(value, list):
        for number, item in enumerate(value):
            yield from _non_finite(item, f"{where}[{number}]")


class PackageFormatSchema(ma.Schema):
    """Fields pass through unchanged (unknown ones too): the quiz validator judges them."""

    class Meta:
        unknown = ma.INCLUDE

    @ma.pre_load
    def _finite_numbers(self, data: Any, **_: Any) -> Any:
        # JSON has no NaN or Infinity, but Python's parser reads them; no database stores them.
        bad = list(_non_finite(data, ""))
        if bad:
            raise ma.ValidationError({where: ["Expected a finite number."] for where in bad})
        return data


class QuizSettingsSchema(PackageFormatSchema):
    pass_mark = _documented("integer", "Percent, 0-100; null: the course's pass mark")
    time_limit_minutes = _documented("integer", "null: no time limit")
    max_attempts = _documented("integer", "null: unlimited")
    cooldown_minutes = _documented("integer", "Wait after an attempt before the next one")
    shuffle_questions = _documented("boolean", "Shuffle the drawn questions per attempt")
    shuffle_options = _documented("boolean", "Shuffle the options of choice questions")
    grading = _documented("string", "highest | last | average | first")
    review = _documented("string", "none | score | after_submission | after_close")
    draw = _documented(
        "array", "Questions per attempt drawn per pool: [{pool, count}]", items={"type": "object"}
    )


PER_LANGUAGE = "Text per language of the course: {en: …, ru: …}"


class QuestionSchema(PackageFormatSchema):
    key = _documented("string", "Unique in the quiz: a-z, 0-9 and -")
    type = _documented(
        "string", "single | multiple | true_false | numeric | short_text | matching | ordering"
    )
    pool = _documented("string", "Pool the draw rules pick from")
    points = _documented("number", "Default 1")
    stem = _documented("object", PER_LANGUAGE)
    options = _documented(
        "array", "single, multiple: [{key, text: {lang: …}, correct}]", items={"type": "object"}
    )
    scoring = _documented("string", "multiple: all_or_nothing | partial")
    answer = _documented("number", "true_false: true or false; numeric: the number")
    tolerance = _documented("number", "numeric: absolute tolerance, default 0")
    accepted = _documented("object", "short_text: accepted answers per language")
    pairs = _documented("array", "matching: [{left: {…}, right: {…}}]", items={"type": "object"})
    items = _documented("array", "ordering: items in the right order", items={"type": "object"})
    feedback = _documented("object", PER_LANGUAGE)


class AnswersSchema(StrictSchema):
    answers = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Raw(allow_none=True),
        required=True,
        validate=ma.validate.Length(min=1),
        metadata={
            "description": "Question key → answer (null clears it): {option}, {options}, "
            "{value} (true_false, numeric), {text}, {pairs: {left id: right id}}, {order}"
        },
    )


class StartArgs(ma.Schema):
    lang = language(load_default=None, metadata={"description": "Language of the attempt"})
