"""Taking a quiz through the API: attempts, answers, submission, grading, limits and deadlines."""

from __future__ import annotations

import pytest

from elearn.accounts.models import Role
from elearn.enrolments.models import Enrolment, LessonProgress
from elearn.quizzes.models import Attempt, AttemptAnswer
from tests.quizzes.builders import ALL_KEYS, correct_response, wrong_response

PROBLEM = "application/problem+json"


def all_correct(frozen):
    return {question["key"]: correct_response(question) for question in frozen}


def test_full_marks_pass_the_quiz_and_complete_the_enrolment(
    quizzes, taking, trainer, trainee, make
):
    quiz = quizzes.build(owners=(trainer,))
    enrolment_id = quizzes.enrol(trainee, quiz.course_id)

    started = taking.start(trainee, quiz.quiz_id)
    assert started.status_code == 201, started.get_json()
    attempt = started.get_json()
    assert attempt["status"] == "in_progress"
    assert attempt["number"] == 1
    assert [q["key"] for q in attempt["questions"]] == ALL_KEYS
    frozen = quizzes.frozen(attempt["id"])

    saved = taking.save(trainee, attempt["id"], all_correct(frozen))
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["answered"] == [q["key"] for q in frozen]

    submitted = taking.submit(trainee, attempt["id"])
    assert submitted.status_code == 200, submitted.get_json()
    body = submitted.get_json()
    assert body["status"] == "submitted"
    assert body["score"] == 100.0
    assert body["passed"] is True
    assert [q["score"] for q in body["questions"]] == [1, 2, 1, 1, 1, 1, 1]
    assert taking.submit(trainee, attempt["id"]).get_json() == body
    stored = make.get(Enrolment, enrolment_id)
    assert stored.status == "completed"
    assert make.count(LessonProgress, enrolment_id=enrolment_id, lesson_id=quiz.quiz_id) == 1


def test_starting_again_returns_the_running_attempt(quizzes, taking, trainee, make):
    quiz = quizzes.build()
    quizzes.enrol(trainee, quiz.course_id)

    first = taking.start(trainee, quiz.quiz_id)
    again = taking.start(trainee, quiz.quiz_id)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["questions"] == first.get_json()["questions"]
    assert make.count(Attempt) == 1


def test_score_is_a_percentage_of_points_with_partial_credit(quizzes, taking, trainee):
    quiz = quizzes.build()
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    frozen = {q["key"]: q for q in quizzes.frozen(attempt_id)}
    answers = {key: wrong_response(question) for key, question in frozen.items()}
    right_pick = frozen["multiple-q"]["key_data"]["correct"][0]
    answers["multiple-q"] = {"options": [right_pick]}
    pairs = frozen["matching-q"]["key_data"]["pairs"]
    first_left = frozen["matching-q"]["left"][0]["id"]
    answers["matching-q"] = {"pairs": {first_left: pairs[first_left]}}
    answers.pop("numeric-q")

    assert taking.save(trainee, attempt_id, answers).status_code == 200
    body = taking.submit(trainee, attempt_id).get_json()

    # 8 points: half of 2 for one of two right picks, a third of 1 for one pair of three.
    assert body["score"] == pytest.approx(round(100 * (1 + 1 / 3) / 8, 2))
    assert body["passed"] is False
    scores = {q["key"]: q["score"] for q in body["questions"] if "score" in q}
    assert scores["multiple-q"] == 1.0
    assert scores["matching-q"] == pytest.approx(0.33)
    assert scores["numeric-q"] == 0
    assert next(q for q in body["questions"] if q["key"] == "numeric-q")["response"] is None


def test_answers_are_saved_incrementally_replaced_and_cleared(quizzes, taking, trainee):
    quiz = quizzes.build()
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]

    taking.save(trainee, attempt_id, {"true-false-q": {"value": True}})
    taking.save(trainee, attempt_id, {"numeric-q": {"value": 12}})
    second = taking.save(trainee, attempt_id, {"true-false-q": {"value": False}})
    assert second.get_json()["answered"] == ["true-false-q", "numeric-q"]
    cleared = taking.save(trainee, attempt_id, {"numeric-q": None})
    assert cleared.get_json()["answered"] == ["true-false-q"]

    responses = {
        q["key"]: q["response"] for q in taking.get(trainee, attempt_id).get_json()["questions"]
    }
    assert responses["true-false-q"] == {"value": False}
    assert responses["numeric-q"] is None


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"no-such-question": {"value": 1}}, "no-such-question", "Not a question of this attempt."),
        ({"numeric-q": {"value": "12"}}, "numeric-q", "Expected {'value': <a finite number>}."),
        ({"single-q": {"option": "nope"}}, "single-q", "Expected {'option': <one option id>}."),
        ({"ordering-q": {"order": []}}, "ordering-q", "Expected {'order': [every item id once]}."),
        (
            {"true-false-q": {"value": True}, "matching-q": ["a"]},
            "matching-q",
            "An answer is an object.",
        ),
    ],
)
def test_bad_answers_are_refused_whole_with_the_question_named(
    quizzes, taking, trainee, make, answers, field, message
):
    quiz = quizzes.build()
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]

    response = taking.save(trainee, attempt_id, answers)

    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.get_json()["errors"] == {field: [message]}
    assert make.count(AttemptAnswer) == 0


def test_answers_after_submission_are_refused(quizzes, taking, trainee, make):
    quiz = quizzes.build()
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    taking.submit(trainee, attempt_id)
    before = make.count(AttemptAnswer, attempt_id=attempt_id)

    response = taking.save(trainee, attempt_id, {"true-false-q": {"value": False}})

    assert response.status_code == 409
    assert response.mimetype == PROBLEM
    assert response.get_json()["attempt_status"] == "submitted"
    assert make.count(AttemptAnswer, attempt_id=attempt_id) == before
    assert all(row.response is None for row in quizzes.answers(attempt_id))


def test_the_deadline_is_enforced_by_the_server(quizzes, taking, trainee, make, frozen_clock):
    quiz = quizzes.build(time_limit_minutes=20)
    quizzes.enrol(trainee, quiz.course_id)
    started = taking.start(trainee, quiz.quiz_id).get_json()
    assert started["deadline_at"] == "2026-03-02T09:20:00+00:00"
    frozen = {q["key"]: q for q in quizzes.frozen(started["id"])}
    frozen_clock.advance(minutes=19)
    taking.save(trainee, started["id"], {"true-false-q": correct_response(frozen["true-false-q"])})
    frozen_clock.advance(minutes=1)

    late = taking.save(trainee, started["id"], {"numeric-q": correct_response(frozen["numeric-q"])})

    assert late.status_code == 409
    assert late.mimetype == PROBLEM
    assert late.get_json()["attempt_status"] == "expired"
    stored = make.get(Attempt, started["id"])
    assert (stored.status, stored.score) == ("expired", pytest.approx(100 / 8))
    answered = [row for row in quizzes.answers(started["id"]) if row.saved_at is not None]
    assert [row.question_key for row in answered] == ["true-false-q"]
    view = taking.get(trainee, started["id"]).get_json()
    assert view["status"] == "expired"
    assert view["submitted_at"] == "2026-03-02T09:20:00+00:00"
    assert view["score"] == pytest.approx(round(100 / 8, 2))
    assert taking.submit(trainee, started["id"]).get_json() == view
    assert make.get(Attempt, started["id"]).status == "expired"


def test_submitting_late_closes_the_attempt_as_expired(quizzes, taking, trainee, frozen_clock):
    quiz = quizzes.build(time_limit_minutes=5)
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    frozen_clock.advance(minutes=6)

    body = taking.submit(trainee, attempt_id).get_json()

    assert body["status"] == "expired"
    assert body["score"] == 0
    assert body["submitted_at"] == "2026-03-02T09:05:00+00:00"


def test_the_beat_task_expires_overdue_attempts(app, quizzes, taking, trainee, make, frozen_clock):
    quiz = quizzes.build(time_limit_minutes=10)
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    expire_attempts = app.extensions["celery"].tasks["elearn.quizzes.expire_attempts"]
    frozen_clock.advance(minutes=9)
    expire_attempts.apply()
    assert make.get(Attempt, attempt_id).status == "in_progress"
    frozen_clock.advance(minutes=2)

    expire_attempts.apply()

    stored = make.get(Attempt, attempt_id)
    assert stored.status == "expired"
    assert stored.score == 0
    assert make.count(AttemptAnswer, attempt_id=attempt_id) == 7


def test_a_third_attempt_is_refused_when_two_are_allowed(quizzes, taking, trainee, make):
    quiz = quizzes.build(max_attempts=2)
    quizzes.enrol(trainee, quiz.course_id)
    for _ in range(2):
        taking.submit(trainee, taking.start(trainee, quiz.quiz_id).get_json()["id"])

    third = taking.start(trainee, quiz.quiz_id)

    assert third.status_code == 409
    assert third.mimetype == PROBLEM
    assert third.get_json()["detail"] == "All 2 attempts at this quiz have been used."
    assert make.count(Attempt) == 2
    result = taking.result(trainee, quiz.quiz_id).get_json()
    assert result["attempts_used"] == 2
    assert result["attempts_left"] == 0
    assert result["next_attempt_at"] is None


def test_an_attempt_during_the_cooldown_is_refused(quizzes, taking, trainee, make, frozen_clock):
    quiz = quizzes.build(cooldown_minutes=60)
    quizzes.enrol(trainee, quiz.course_id)
    taking.submit(trainee, taking.start(trainee, quiz.quiz_id).get_json()["id"])
    frozen_clock.advance(minutes=59)

    early = taking.start(trainee, quiz.quiz_id)

    assert early.status_code == 409
    assert early.mimetype == PROBLEM
    assert early.get_json()["next_attempt_at"] == "2026-03-02T10:00:00+00:00"
    assert make.count(Attempt) == 1
    assert taking.result(trainee, quiz.quiz_id).get_json()["next_attempt_at"] == (
        "2026-03-02T10:00:00+00:00"
    )
    frozen_clock.advance(minutes=1)
    assert taking.start(trainee, quiz.quiz_id).status_code == 201


def test_a_trainee_not_enrolled_may_not_start(quizzes, taking, trainee, make):
    quiz = quizzes.build()

    response = taking.start(trainee, quiz.quiz_id)

    assert response.status_code == 403
    assert response.mimetype == PROBLEM
    assert make.count(Attempt) == 0
    assert taking.result(trainee, quiz.quiz_id).status_code == 403


def test_another_trainees_attempt_does_not_exist_for_them(quizzes, taking, trainee, make):
    quiz = quizzes.build()
    other = make.user(Role.TRAINEE, administration="GE")
    quizzes.enrol(trainee, quiz.course_id)
    quizzes.enrol(other, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]

    responses = [
        taking.get(other, attempt_id),
        taking.save(other, attempt_id, {"true-false-q": {"value": True}}),
        taking.submit(other, attempt_id),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert all(r.mimetype == PROBLEM for r in responses)
    assert make.count(AttemptAnswer) == 0
    assert make.get(Attempt, attempt_id).status == "in_progress"


def test_editing_the_quiz_never_changes_an_existing_attempt_or_its_grade(
    quizzes, taking, client, trainer, trainee
):
    quiz = quizzes.build(owners=(trainer,))
    quizzes.enrol(trainee, quiz.course_id)
    finished_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    taking.save(trainee, finished_id, all_correct(quizzes.frozen(finished_id)))
    finished = taking.submit(trainee, finished_id).get_json()
    running = taking.start(trainee, quiz.quiz_id).get_json()

    edited = client.put(
        f"/api/v1/quizzes/{quiz.quiz_id}/questions/true-false-q",
        json={
            "key": "true-false-q",
            "type": "true_false",
            "answer": True,
            "points": 5,
            "stem": {"en": "Changed stem", "ru": "Изменено"},
        },
        headers=trainer.headers,
    )
    assert edited.status_code == 200, edited.get_json()
    client.delete(f"/api/v1/quizzes/{quiz.quiz_id}/questions/single-q", headers=trainer.headers)

    assert taking.get(trainee, finished_id).get_json() == finished
    again = taking.get(trainee, running["id"]).get_json()
    assert again["questions"] == running["questions"]
    taking.save(trainee, running["id"], all_correct(quizzes.frozen(running["id"])))
    assert taking.submit(trainee, running["id"]).get_json()["score"] == 100.0


def test_the_attempt_is_frozen_in_the_trainees_language(quizzes, taking, client, trainee, make):
    quiz = quizzes.build()
    russian = make.user(Role.TRAINEE, administration="AZ")
    client.patch("/api/v1/me", json={"language": "ru"}, headers=russian.headers)
    for person in (trainee, russian):
        quizzes.enrol(person, quiz.course_id)

    in_russian = taking.start(russian, quiz.quiz_id)
    in_french = taking.start(trainee, quiz.quiz_id, lang="fr")

    assert in_russian.headers["Content-Language"] == "ru"
    assert (
        in_russian.get_json()["questions"][0]["stem"]
        == "ru: Which instrument defines customs value?"
    )
    assert in_french.get_json()["language"] == "en"
    assert in_french.get_json()["questions"][0]["stem"] == "Which instrument defines customs value?"


@pytest.mark.parametrize(
    ("grading", "completed_after"),
    [("highest", 2), ("last", 2), ("first", None), ("average", 3)],
)
def test_the_grading_method_decides_when_the_quiz_is_passed(
    quizzes, taking, trainee, make, grading, completed_after
):
    quiz = quizzes.build(grading=grading, pass_mark=60)
    enrolment_id = quizzes.enrol(trainee, quiz.course_id)
    completed = None
    # Scores 0, 100, 100 against 60: highest and last pass at the second, average at the third.
    for number, correct in enumerate((False, True, True), 1):
        attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
        frozen = quizzes.frozen(attempt_id)
        answers = all_correct(frozen) if correct else {q["key"]: wrong_response(q) for q in frozen}
        taking.save(trainee, attempt_id, answers)
        taking.submit(trainee, attempt_id)
        if completed is None and make.get(Enrolment, enrolment_id).status == "completed":
            completed = number

    assert completed == completed_after
    result = taking.result(trainee, quiz.quiz_id).get_json()
    expected = {"highest": 100.0, "last": 100.0, "first": 0.0, "average": 66.67}[grading]
    assert result["grade"] == expected
    assert result["passed"] is (grading != "first")
    assert [a["score"] for a in result["attempts"]] == [0.0, 100.0, 100.0]
