"""The course packages shipped in course_content/ have quizzes a trainee can pass end to end."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from elearn.accounts.models import Role
from elearn.content.service.importing import import_package
from elearn.courses.models import Lesson, LessonKind, QuizDefinition
from elearn.extensions import db
from tests.content.builders import folder_files
from tests.quizzes.builders import correct_response

COURSE_CONTENT = Path(__file__).resolve().parents[2] / "course_content"
PACKAGES = sorted(path.name for path in COURSE_CONTENT.iterdir() if path.is_dir())
# course_content/README.md: questions drawn per attempt, bank size, and languages.
SHIPPED = {
    "cross-border-e-commerce": (8, 16, ("en", "ru", "fr")),
    "customs-valuation-transaction-value": (8, 16, ("en", "ru", "fr")),
    "hs-general-interpretative-rules": (8, 16, ("en", "ru", "fr")),
    "relief-consignments-pandemic": (8, 16, ("en", "ru", "fr")),
}
CASES = [(slug, language) for slug, (_, _, languages) in SHIPPED.items() for language in languages]
QUESTION_TYPES = {
    "single",
    "multiple",
    "true_false",
    "numeric",
    "short_text",
    "matching",
    "ordering",
}


def test_every_shipped_package_is_tested():
    assert sorted(SHIPPED) == PACKAGES


def imported(app, slug):
    """Import and publish the package with the courses importer; (result, lesson ids, quiz)."""
    with app.app_context():
        result = import_package(None, folder_files(COURSE_CONTENT / slug), publish=True)
        db.session.commit()
        lessons = db.session.execute(
            select(Lesson.id, Lesson.kind, Lesson.required).where(
                Lesson.course_id == result.course_id
            )
        ).all()
        (quiz,) = db.session.scalars(
            select(QuizDefinition.definition)
            .join(Lesson, Lesson.id == QuizDefinition.lesson_id)
            .where(Lesson.course_id == result.course_id)
        )
    return result, lessons, quiz


@pytest.mark.parametrize("slug", PACKAGES)
def test_each_shipped_final_quiz_certifies(app, slug):
    """Twice the draw in every pool, every question type, answers only after a pass or the last
    attempt, a cooldown: the importer has nothing to warn about."""
    result, _, quiz = imported(app, slug)
    asked, bank, languages = SHIPPED[slug]
    settings = quiz["settings"]
    pools = Counter(question["pool"] for question in quiz["questions"])

    assert result.warnings == ()
    assert quiz["languages"] == list(languages)
    assert len(quiz["questions"]) == bank
    assert sum(rule["count"] for rule in settings["draw"]) == asked
    assert all(pools[rule["pool"]] >= 2 * rule["count"] for rule in settings["draw"])
    assert set(pools) == {rule["pool"] for rule in settings["draw"]}
    assert {question["type"] for question in quiz["questions"]} == QUESTION_TYPES
    assert settings["review"] == "after_pass_or_close"
    assert settings["cooldown_minutes"] >= 60
    assert settings["max_attempts"] in (2, 3)


@pytest.mark.parametrize(("slug", "language"), CASES)
def test_a_trainee_passes_the_shipped_quiz_and_completes_the_course(
    app, client, quizzes, taking, make, slug, language
):
    result, lessons, _ = imported(app, slug)
    course_id = result.course_id
    trainee = make.user(Role.TRAINEE, administration="AZ")
    enrolment_id = quizzes.enrol(trainee, course_id)
    (quiz_id,) = [lesson_id for lesson_id, kind, _ in lessons if kind == LessonKind.QUIZ]
    for lesson_id, kind, required in lessons:
        if kind != LessonKind.QUIZ and required:
            shown = client.get(
                f"/api/v1/courses/{course_id}/lessons/{lesson_id}",
                query_string={"lang": language},
                headers=trainee.headers,
            )
            assert shown.status_code == 200, shown.get_json()
            assert shown.headers["Content-Language"] == language
            done = client.post(
                f"/api/v1/enrolments/{enrolment_id}/lessons/{lesson_id}/complete",
                headers=trainee.headers,
            )
            assert done.status_code == 200, done.get_json()

    started = taking.start(trainee, quiz_id, lang=language)
    assert started.status_code == 201, started.get_json()
    attempt = started.get_json()
    assert attempt["language"] == language
    frozen = quizzes.frozen(attempt["id"])
    assert len(frozen) == SHIPPED[slug][0]
    assert [q["key"] for q in attempt["questions"]] == [q["key"] for q in frozen]
    saved = taking.save(trainee, attempt["id"], {q["key"]: correct_response(q) for q in frozen})
    assert saved.status_code == 200, saved.get_json()
    submitted = taking.submit(trainee, attempt["id"]).get_json()

    assert submitted["status"] == "submitted"
    assert submitted["score"] == 100.0
    assert submitted["passed"] is True
    assert submitted["disclosed"] == {"score": True, "answers": True}
    assert taking.result(trainee, quiz_id).get_json()["passed"] is True
    enrolment = client.get(f"/api/v1/enrolments/{enrolment_id}", headers=trainee.headers)
    assert enrolment.get_json()["status"] == "completed"
    assert enrolment.get_json()["progress_percent"] == 100


@pytest.mark.parametrize("slug", PACKAGES)
def test_a_failed_attempt_of_a_shipped_quiz_shows_no_answers_and_waits(
    app, quizzes, taking, make, slug
):
    result, lessons, _ = imported(app, slug)
    trainee = make.user(Role.TRAINEE, administration="AZ")
    quizzes.enrol(trainee, result.course_id)
    (quiz_id,) = [lesson_id for lesson_id, kind, _ in lessons if kind == LessonKind.QUIZ]
    attempt = taking.start(trainee, quiz_id).get_json()

    submitted = taking.submit(trainee, attempt["id"]).get_json()
    again = taking.start(trainee, quiz_id)

    assert submitted["passed"] is False
    assert submitted["disclosed"] == {"score": True, "answers": False}
    assert all("correct_answer" not in question for question in submitted["questions"])
    assert again.status_code == 409, again.get_json()
