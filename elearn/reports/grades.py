"""Quiz grades per enrolment: the best and the last finished attempt, and how many there were."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from elearn.extensions import db
from elearn.quizzes.models import FINISHED_STATUSES, Attempt


@dataclass(frozen=True)
class Grades:
    best: float | None = None
    last: float | None = None
    attempts: int = 0


def grades_of(enrolment_ids: Collection[int]) -> dict[int, Grades]:
    """Grades of each enrolment (one query); enrolments without a finished attempt are absent."""
    if not enrolment_ids:
        return {}
    rows = db.session.execute(
        select(Attempt.enrolment_id, Attempt.score)
        .where(Attempt.enrolment_id.in_(enrolment_ids), Attempt.status.in_(FINISHED_STATUSES))
        .order_by(Attempt.enrolment_id, Attempt.submitted_at, Attempt.id)
    ).all()
    grades: dict[int, Grades] = {}
    for enrolment_id, score in rows:
        before = grades.get(enrolment_id, Grades())
        scores = [value for value in (before.best, score) if value is not None]
        grades[enrolment_id] = Grades(
            best=max(scores) if scores else None, last=score, attempts=before.attempts + 1
        )
    return grades
