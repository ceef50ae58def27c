"""Response shapes of the quizzes API. Each names every field it writes: a frozen question's
answer key leaves the server only as ``correct_answer``, which views fill under the review
policy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma


class EditorQuizSchema(ma.Schema):
    id = ma.fields.Integer(metadata={"description": "The quiz lesson's id"})
    course_id = ma.fields.Integer()
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
    id = ma.fields.Integer()
    number = ma.fields.Integer()
    status = ma.fields.String(metadata={"description": "in_progress | submitted | expired"})
    started_at = ma.fields.AwareDateTime()
    deadline_at = ma.fields.AwareDateTime(allow_none=True)
    submitted_at = ma.fields.AwareDateTime(allow_none=True)
    score = ma.fields.Float(allow_none=True, metadata={"description": "Percent of the points"})
    passed = ma.fields.Boolean(allow_none=True)


class AttemptSchema(AttemptSummarySchema):
    quiz_id = ma.fields.Integer()
    language = ma.fields.String()
    review = ma.fields.String()
    disclosed = ma.fields.Nested(DisclosureSchema)
    questions = ma.fields.List(ma.fields.Nested(QuestionViewSchema))


class AttemptProgressSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    deadline_at = ma.fields.AwareDateTime(allow_none=True)
    answered = ma.fields.List(ma.fields.String(), metadata={"description": "Keys answered"})
    question_count = ma.fields.Integer()


class QuizResultSchema(ma.Schema):
    quiz_id = ma.fields.Integer()
    pass_mark = ma.fields.Integer()
    grading = ma.fields.String()
    review = ma.fields.String()
    time_limit_minutes = ma.fields.Integer(allow_none=True)
    max_attempts = ma.fields.Integer(allow_none=True)
    attempts_used = ma.fields.Integer()
    attempts_left = ma.fields.Integer(allow_none=True, metadata={"description": "null: no limit"})
    in_progress_attempt_id = ma.fields.Integer(allow_none=True)
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
    attempts = ma.fields.Integer(metadata={"description": "Finished attempts that asked it"})
    answered = ma.fields.Integer()
    fully_correct_share = ma.fields.Float(allow_none=True)
    average_score = ma.fields.Float(
        allow_none=True, metadata={"description": "Mean fraction of the points, answered only"}
    )


class QuizStatisticsSchema(ma.Schema):
    quiz_id = ma.fields.Integer()
    questions = ma.fields.List(ma.fields.Nested(QuestionStatisticsSchema))
