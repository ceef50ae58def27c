"""Per-question statistics of a quiz over its finished attempts, computed in one SQL query.

For each question key: how many finished attempts asked it, how many answered it, the share of
those answers that earned full points, and their average score (a fraction of the question's
points). Keys of questions since removed from the quiz are listed after the current ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, case, func, select

from elearn.extensions import db
from elearn.quizzes.models import FINISHED_STATUSES, Attempt, AttemptAnswer
from elearn.quizzes.service.quiz import Quiz

FULL_MARKS = 1 - 1e-9


@dataclass(frozen=True)
class QuestionStatistics:
    key: str
    type: str | None
    in_quiz: bool
    attempts: int
    answered: int
    fully_correct_share: float | None
    average_score: float | None


def question_statistics(quiz: Quiz) -> list[QuestionStatistics]:
    """Every question key asked in a finished attempt or present in the quiz, in quiz order."""
    answered = AttemptAnswer.saved_at.is_not(None)
    rows = db.session.execute(
        select(
            AttemptAnswer.question_key,
            func.count(),
            func.count(AttemptAnswer.saved_at),
            func.sum(case((answered & (AttemptAnswer.score >= FULL_MARKS), 1), else_=0)),
            func.avg(case((answered, AttemptAnswer.score))),
        )
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(Attempt.lesson_id == quiz.id, Attempt.status.in_(FINISHED_STATUSES))
        .group_by(AttemptAnswer.question_key)
    ).all()
    found = {row[0]: row for row in rows}
    current = {question["key"]: question["type"] for question in quiz.questions}
    removed = sorted(set(found) - set(current))
    return [
        _statistics(key, current.get(key), key in current, found.get(key))
        for key in [*current, *removed]
    ]


def _statistics(
    key: str, kind: str | None, in_quiz: bool, row: Row[Any] | None
) -> QuestionStatistics:
    asked, answered, full, average = tuple(row)[1:] if row is not None else (0, 0, 0, None)
    return QuestionStatistics(
        key=key,
        type=kind,
        in_quiz=in_quiz,
        attempts=int(asked),
        answered=int(answered),
        fully_correct_share=round(int(full) / answered, 4) if answered else None,
        average_score=round(float(average), 4) if average is not None else None,
    )
