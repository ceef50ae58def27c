"""Request shapes of the quizzes API.

Settings and questions travel in the package format (docs/content-format.md, "Quizzes") and are
checked by the courses package validator with the rest of the quiz, so these schemas only
document the fields and pass them on; answers are checked against their frozen questions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import marshmallow as ma

from elearn.schemas import ChangesSchema, Id, Integer, StrictSchema, language


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


class QuizSettingsSchema(PackageFormatSchema, ChangesSchema):
    class Meta(PackageFormatSchema.Meta):
        """Unknown settings pass on to the quiz validator, as in any package-format schema."""

    pass_mark = _documented("integer", "Percent, 0-100; null: the course's pass mark")
    time_limit_minutes = _documented("integer", "null: no time limit")
    max_attempts = _documented("integer", "null: unlimited")
    cooldown_minutes = _documented("integer", "Wait after an attempt before the next one")
    shuffle_questions = _documented("boolean", "Shuffle the drawn questions per attempt")
    shuffle_options = _documented("boolean", "Shuffle the options of choice questions")
    grading = _documented("string", "highest | last | average | first")
    review = _documented(
        "string", "none | score | after_submission | after_close | after_pass_or_close"
    )
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


class EditorQuizSchema(ma.Schema):
    id = Id(metadata={"description": "The quiz lesson's id"})
    course_id = Id()
    lesson_key = ma.fields.String()
    languages = ma.fields.List(ma.fields.String())
    settings = ma.fields.Dict()
    questions = ma.fields.List(ma.fields.Dict(), metadata={"description": "With answer keys"})
    updated_at = ma.fields.AwareDateTime(allow_none=True)


class ChoiceSchema(ma.Schema):
    id = ma.fields.String()
    text = ma.fields.String()


class QuestionViewSchema(ma.Schema):
    """A question as presented (a mapping): absent fields stay absent."""

    key = ma.fields.String()
    type = ma.fields.String()
    points = ma.fields.Float()
    stem = ma.fields.String()
    scoring = ma.fields.String(metadata={"description": "multiple: all_or_nothing | partial"})
    options = ma.fields.List(ma.fields.Nested(ChoiceSchema))
    left = ma.fields.List(ma.fields.Nested(ChoiceSchema))
    right = ma.fields.List(ma.fields.Nested(ChoiceSchema))
    items = ma.fields.List(ma.fields.Nested(ChoiceSchema))
    response = ma.fields.Raw(allow_none=True, metadata={"description": "The saved answer"})
    score = ma.fields.Float(metadata={"description": "Points earned (when answers are shown)"})
    correct_answer = ma.fields.Raw(metadata={"description": "When the review policy allows"})
    feedback = ma.fields.String(allow_none=True)

    def get_attribute(self, obj: Mapping[str, Any], attr: str, default: Any) -> Any:
        # A mapping's methods (``items``) must not stand in for its missing keys.
        return obj.get(attr, default)


class DisclosureSchema(ma.Schema):
    score = ma.fields.Boolean()
    answers = ma.fields.Boolean()


class AttemptSummarySchema(ma.Schema):
    id = Id()
    number = Integer()
    status = ma.fields.String(metadata={"description": "in_progress | submitted | expired"})
    started_at = ma.fields.AwareDateTime()
    deadline_at = ma.fields.AwareDateTime(allow_none=True)
    submitted_at = ma.fields.AwareDateTime(allow_none=True)
    score = ma.fields.Float(allow_none=True, metadata={"description": "Percent of the points"})
    passed = ma.fields.Boolean(allow_none=True)


class AttemptSchema(AttemptSummarySchema):
    quiz_id = Id()
    language = ma.fields.String()
    review = ma.fields.String()
    disclosed = ma.fields.Nested(DisclosureSchema)
    questions = ma.fields.List(ma.fields.Nested(QuestionViewSchema))


class AttemptProgressSchema(ma.Schema):
    id = Id()
    status = ma.fields.String()
    deadline_at = ma.fields.AwareDateTime(allow_none=True)
    answered = ma.fields.List(ma.fields.String(), metadata={"description": "Keys answered"})
    question_count = Integer()


class QuizResultSchema(ma.Schema):
    quiz_id = Id()
    pass_mark = Integer()
    grading = ma.fields.String()
    review = ma.fields.String()
    time_limit_minutes = Integer(allow_none=True)
    max_attempts = Integer(allow_none=True)
    attempts_used = Integer()
    attempts_left = Integer(allow_none=True, metadata={"description": "null: no limit"})
    in_progress_attempt_id = Id(allow_none=True)
    next_attempt_at = ma.fields.AwareDateTime(
        allow_none=True, metadata={"description": "null: no further attempt is possible"}
    )
    grade = ma.fields.Float(allow_none=True, metadata={"description": "Per the grading method"})
    passed = ma.fields.Boolean()
    attempts = ma.fields.List(ma.fields.Nested(AttemptSummarySchema))


class QuestionStatisticsSchema(ma.Schema):
    key = ma.fields.String()
    type = ma.fields.String(allow_none=True)
    in_quiz = ma.fields.Boolean(metadata={"description": "False: since removed from the quiz"})
    attempts = Integer(metadata={"description": "Finished attempts that asked it"})
    answered = Integer()
    fully_correct_share = ma.fields.Float(allow_none=True)
    average_score = ma.fields.Float(
        allow_none=True, metadata={"description": "Mean fraction of the points, answered only"}
    )


class QuizStatisticsSchema(ma.Schema):
    quiz_id = Id()
    questions = ma.fields.List(ma.fields.Nested(QuestionStatisticsSchema))
