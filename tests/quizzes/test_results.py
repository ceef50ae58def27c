"""The trainee's result, review policies over time, course runs, and quizzes closed to attempts."""

from __future__ import annotations

from elearn.accounts.models import Role
from elearn.courses.models import Lesson
from elearn.quizzes.models import Attempt
from tests.quizzes.builders import NUMERIC, TRUE_FALSE, correct_response

PROBLEM = "application/problem+json"


def make_run(client, trainer, course_id, ends_at):
    response = client.post(
        f"/api/v1/courses/{course_id}/runs",
        json={"name": "Cohort", "ends_at": ends_at},
        headers=trainer.headers,
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_the_result_tells_where_the_trainee_stands(quizzes, taking, trainee, frozen_clock):
    quiz = quizzes.build(questions=[TRUE_FALSE], max_attempts=3, cooldown_minutes=10)
    quizzes.enrol(trainee, quiz.course_id)
    empty = taking.result(trainee, quiz.quiz_id).get_json()
    running = taking.start(trainee, quiz.quiz_id).get_json()

    during = taking.result(trainee, quiz.quiz_id).get_json()
    taking.submit(trainee, running["id"])
    after = taking.result(trainee, quiz.quiz_id).get_json()

    assert empty == {
        "quiz_id": quiz.quiz_id,
        "pass_mark": 70,
        "grading": "highest",
        "review": "after_submission",
        "time_limit_minutes": None,
        "max_attempts": 3,
        "attempts_used": 0,
        "attempts_left": 3,
        "in_progress_attempt_id": None,
        "next_attempt_at": "2026-03-02T09:00:00+00:00",
        "grade": None,
        "passed": False,
        "attempts": [],
    }
    assert during["in_progress_attempt_id"] == running["id"]
    assert during["next_attempt_at"] is None
    assert during["attempts"][0]["score"] is None
    assert after["attempts_used"] == 1
    assert after["attempts_left"] == 2
    assert after["next_attempt_at"] == "2026-03-02T09:10:00+00:00"
    assert after["grade"] == 0
    assert after["attempts"][0]["status"] == "submitted"


def test_with_review_none_the_score_stays_hidden_but_passing_counts(quizzes, taking, trainee):
    quiz = quizzes.build(questions=[TRUE_FALSE], review="none")
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    frozen = quizzes.frozen(attempt_id)[0]
    taking.save(trainee, attempt_id, {"true-false-q": correct_response(frozen)})

    submitted = taking.submit(trainee, attempt_id).get_json()
    result = taking.result(trainee, quiz.quiz_id).get_json()

    assert submitted["status"] == "submitted"
    assert submitted["score"] is None
    assert submitted["passed"] is None
    assert submitted["disclosed"] == {"score": False, "answers": False}
    assert result["grade"] is None
    assert result["passed"] is True


def test_a_submit_follows_a_settings_change_the_process_had_remembered_before(
    quizzes, taking, trainee, make, client, live_feed
):
    trainer = make.user(Role.TRAINER)
    quiz = quizzes.build(owners=(trainer,), questions=[TRUE_FALSE], review="none")
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    assert taking.get(trainee, attempt_id).get_json()["review"] == "none"  # remembered

    changed = client.patch(
        f"/api/v1/quizzes/{quiz.quiz_id}/settings",
        json={"review": "score"},
        headers=trainer.headers,
    )
    assert changed.status_code == 200, changed.get_json()
    submitted = taking.submit(trainee, attempt_id).get_json()

    assert submitted["review"] == "score"
    assert submitted["disclosed"] == {"score": True, "answers": False}
    assert submitted["score"] == 0


def test_after_close_reveals_answers_once_every_attempt_is_used(quizzes, taking, trainee):
    quiz = quizzes.build(questions=[TRUE_FALSE], review="after_close", max_attempts=2)
    quizzes.enrol(trainee, quiz.course_id)
    first = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    taking.submit(trainee, first)
    assert taking.get(trainee, first).get_json()["disclosed"] == {"score": True, "answers": False}
    second = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    assert taking.get(trainee, first).get_json()["disclosed"]["answers"] is False

    taking.submit(trainee, second)

    for attempt_id in (first, second):
        view = taking.get(trainee, attempt_id).get_json()
        assert view["disclosed"] == {"score": True, "answers": True}
        assert view["questions"][0]["correct_answer"] == {"answer": False}
        assert view["questions"][0]["feedback"] == "Feedback-tf-91c2"


def test_after_pass_or_close_shows_answers_to_a_trainee_who_passed(quizzes, taking, trainee):
    quiz = quizzes.build(questions=[TRUE_FALSE], review="after_pass_or_close", max_attempts=3)
    quizzes.enrol(trainee, quiz.course_id)
    failed = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    taking.submit(trainee, failed)
    after_failing = taking.get(trainee, failed).get_json()
    passed = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    frozen = quizzes.frozen(passed)[0]
    taking.save(trainee, passed, {frozen["key"]: correct_response(frozen)})

    submitted = taking.submit(trainee, passed).get_json()

    assert after_failing["disclosed"] == {"score": True, "answers": False}
    assert "correct_answer" not in after_failing["questions"][0]
    assert "feedback" not in after_failing["questions"][0]
    assert submitted["passed"] is True
    assert submitted["disclosed"] == {"score": True, "answers": True}
    for attempt_id in (failed, passed):
        view = taking.get(trainee, attempt_id).get_json()
        assert view["disclosed"] == {"score": True, "answers": True}
        assert view["questions"][0]["correct_answer"] == {"answer": False}
    result = taking.result(trainee, quiz.quiz_id).get_json()
    assert result["review"] == "after_pass_or_close"
    assert result["attempts_left"] == 1


def test_after_pass_or_close_shows_answers_once_the_last_attempt_fails(quizzes, taking, trainee):
    quiz = quizzes.build(questions=[TRUE_FALSE], review="after_pass_or_close", max_attempts=2)
    quizzes.enrol(trainee, quiz.course_id)
    first = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    shown_after_first = taking.submit(trainee, first).get_json()["disclosed"]
    second = taking.start(trainee, quiz.quiz_id).get_json()["id"]

    shown_after_last = taking.submit(trainee, second).get_json()["disclosed"]

    assert shown_after_first == {"score": True, "answers": False}
    assert shown_after_last == {"score": True, "answers": True}
    assert taking.get(trainee, first).get_json()["questions"][0]["feedback"] == "Feedback-tf-91c2"


def test_a_course_run_bounds_the_deadline_and_closes_the_quiz(
    client, quizzes, taking, trainer, trainee, make, frozen_clock
):
    quiz = quizzes.build(owners=(trainer,), questions=[NUMERIC], time_limit_minutes=60)
    run_id = make_run(client, trainer, quiz.course_id, "2026-03-02T09:30:00+00:00")
    quizzes.enrol(trainee, quiz.course_id, run_id=run_id)

    started = taking.start(trainee, quiz.quiz_id).get_json()
    frozen_clock.advance(minutes=31)
    closed = taking.start(trainee, quiz.quiz_id)

    assert started["deadline_at"] == "2026-03-02T09:30:00+00:00"
    assert closed.status_code == 409
    assert closed.mimetype == PROBLEM
    assert closed.get_json()["detail"] == (
        "The course run has ended; the quiz takes no more attempts."
    )
    assert make.count(Attempt) == 1
    assert make.get(Attempt, started["id"]).status == "expired"
    assert taking.result(trainee, quiz.quiz_id).get_json()["next_attempt_at"] is None


def test_an_archived_quiz_takes_no_attempts_and_a_lesson_with_attempts_is_not_deleted(
    client, quizzes, taking, trainer, trainee, make
):
    quiz = quizzes.build(owners=(trainer,), questions=[TRUE_FALSE])
    quizzes.enrol(trainee, quiz.course_id)
    taking.submit(trainee, taking.start(trainee, quiz.quiz_id).get_json()["id"])
    lesson_url = f"/api/v1/courses/{quiz.course_id}/lessons/{quiz.quiz_id}"

    deleted = client.delete(lesson_url, headers=trainer.headers)
    archived = client.post(f"{lesson_url}/archive", headers=trainer.headers)
    start = taking.start(trainee, quiz.quiz_id)

    assert deleted.status_code == 409
    assert archived.status_code == 200
    assert start.status_code == 409
    assert start.get_json()["detail"] == "This quiz takes no attempts."
    assert make.get(Lesson, quiz.quiz_id) is not None
    assert make.count(Attempt) == 1


def test_a_quiz_lesson_without_questions_takes_no_attempts(quizzes, taking, trainee, make):
    quiz = quizzes.build(questions=[])
    quizzes.enrol(trainee, quiz.course_id)

    response = taking.start(trainee, quiz.quiz_id)

    assert response.status_code == 409
    assert make.count(Attempt) == 0
