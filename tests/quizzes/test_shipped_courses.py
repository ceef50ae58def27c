"""The course packages shipped in course_content/ have quizzes a trainee can pass end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from elearn.accounts.models import Role
from elearn.content.service.importing import import_package
from elearn.courses.models import Lesson, LessonKind
from elearn.extensions import db
from tests.content.builders import folder_files
from tests.quizzes.builders import correct_response

COURSE_CONTENT = Path(__file__).resolve().parents[2] / "course_content"
PACKAGES = sorted(path.name for path in COURSE_CONTENT.iterdir() if path.is_dir())
# course_content/README.md: two pools with 10 drawn, or all 13 questions asked.
QUESTIONS_PER_ATTEMPT = {
    "customs-valuation-transaction-value": 13,
    "hs-general-interpretative-rules": 10,
    "relief-consignments-pandemic": 10,
}


def test_every_shipped_package_is_tested():
    assert sorted(QUESTIONS_PER_ATTEMPT) == PACKAGES


def imported(app, slug):
    """Import and publish the package with the courses importer; (course id, lesson ids)."""
    with app.app_context():
        result = import_package(None, folder_files(COURSE_CONTENT / slug), publish=True)
        db.session.commit()
        lessons = db.session.execute(
            select(Lesson.id, Lesson.kind, Lesson.required).where(
                Lesson.course_id == result.course_id
            )
        ).all()
    return result.course_id, lessons


@pytest.mark.parametrize("slug", PACKAGES)
def test_a_trainee_passes_the_shipped_quiz_and_completes_the_course(
    app, client, quizzes, taking, make, slug
):
    course_id, lessons = imported(app, slug)
    trainee = make.user(Role.TRAINEE, administration="AZ")
    enrolment_id = quizzes.enrol(trainee, course_id)
    (quiz_id,) = [lesson_id for lesson_id, kind, _ in lessons if kind == LessonKind.QUIZ]
    for lesson_id, kind, required in lessons:
        if kind != LessonKind.QUIZ and required:
            done = client.post(
                f"/api/v1/enrolments/{enrolment_id}/lessons/{lesson_id}/complete",
                headers=trainee.headers,
            )
            assert done.status_code == 200, done.get_json()

    started = taking.start(trainee, quiz_id)
    assert started.status_code == 201, started.get_json()
    attempt = started.get_json()
    frozen = quizzes.frozen(attempt["id"])
    assert len(frozen) == QUESTIONS_PER_ATTEMPT[slug]
    assert [q["key"] for q in attempt["questions"]] == [q["key"] for q in frozen]
    saved = taking.save(trainee, attempt["id"], {q["key"]: correct_response(q) for q in frozen})
    assert saved.status_code == 200, saved.get_json()
    submitted = taking.submit(trainee, attempt["id"]).get_json()

    assert submitted["status"] == "submitted"
    assert submitted["score"] == 100.0
    assert submitted["passed"] is True
    assert taking.result(trainee, quiz_id).get_json()["passed"] is True
    enrolment = client.get(f"/api/v1/enrolments/{enrolment_id}", headers=trainee.headers)
    assert enrolment.get_json()["status"] == "completed"
    assert enrolment.get_json()["progress_percent"] == 100
