"""Quiz attempts and certificates written straight into the database for the reports' tests."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from elearn import clock
from elearn.certificates.models import Certificate
from elearn.courses.models import Lesson
from elearn.enrolments.models import Enrolment
from elearn.extensions import db
from elearn.quizzes.models import Attempt


def graded(app: Flask, enrolment_id: int, *scores: float) -> None:
    """Finished attempts of ``enrolment_id`` with ``scores``, in that order."""
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        assert enrolment is not None
        lesson_id = db.session.query(Lesson.id).filter_by(course_id=enrolment.course_id).first()[0]
        for number, score in enumerate(scores, 1):
            db.session.add(
                Attempt(
                    lesson_id=lesson_id,
                    enrolment_id=enrolment.id,
                    user_id=enrolment.user_id,
                    number=number,
                    language="en",
                    started_at=clock.now(),
                    submitted_at=clock.now(),
                    status="submitted",
                    pass_mark=70,
                    score=score,
                    passed=score >= 70,
                    questions=[],
                )
            )
        db.session.commit()


def certified(app: Flask, enrolment_id: int, code: str) -> None:
    """The certificate completing ``enrolment_id`` queued, issued with verification ``code``."""
    with app.app_context():
        certificate = db.session.scalar(
            select(Certificate).where(Certificate.enrolment_id == enrolment_id)
        )
        assert certificate is not None, "complete the enrolment first"
        certificate.status = "issued"
        certificate.verification_code = code
        certificate.issued_at = clock.now()
        db.session.commit()
