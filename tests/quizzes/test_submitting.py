"""Submitting: a trainee's own attempt, in time, is closed on the fast path (PostgreSQL: its
frozen facts remembered or read, its version read with its answers, then closed only in that
version), which answers exactly as the checked path does; whatever the fast path does not
settle (another user, a deadline passed, a second submit, a pass, a write since its read) the
checked path decides, the fast path having written nothing."""

from __future__ import annotations

import pytest

from elearn.accounts.models import Role
from elearn.enrolments.models import LessonProgress
from elearn.extensions import db
from elearn.http_cache import forget_every_remembered_value
from elearn.quizzes.models import Attempt
from elearn.quizzes.service import submission
from tests.quizzes.builders import NUMERIC, SINGLE, TRUE_FALSE, correct_response, wrong_response

REVIEWS = ["none", "score", "after_submission", "after_close", "after_pass_or_close"]


def on_postgresql(app):
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def half_right(frozen):
    """The first question answered right, the second wrong, the third left out: 1 of 3."""
    return {
        frozen[0]["key"]: correct_response(frozen[0]),
        frozen[1]["key"]: wrong_response(frozen[1]),
    }


@pytest.fixture
def take(quizzes, taking, make):
    """``take(quiz, answers_of)``: a new trainee of AZ enrolled, their attempt started and
    ``answers_of(frozen questions)`` saved; the trainee and the attempt id."""

    def started(quiz, answers_of=half_right):
        trainee = make.user(Role.TRAINEE, administration="AZ")
        quizzes.enrol(trainee, quiz.course_id)
        attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
        assert (
            taking.save(trainee, attempt_id, answers_of(quizzes.frozen(attempt_id))).status_code
            == 200
        )
        return trainee, attempt_id

    return started


@pytest.fixture
def checked_only(monkeypatch):
    """``checked_only()``: from now on every submit takes the checked path."""
    return lambda: monkeypatch.setattr(submission, "submit_own_attempt", lambda *_: None)


def paths(queries):
    """Which path closed the attempt the last request submitted: the checked one holds it."""
    closed = any("WITH closed AS" in s for s in queries.statements)
    held = any("FOR UPDATE" in s for s in queries.statements)
    return "fast" if closed and not held else "checked"


def submitted(taking, queries, trainee, attempt_id):
    queries.reset()
    response = taking.submit(trainee, attempt_id)
    assert response.status_code == 200, response.get_json()
    return response


@pytest.mark.parametrize("seen", [True, False], ids=["attempt seen", "attempt never seen"])
@pytest.mark.parametrize(
    "limit", [{}, {"max_attempts": 1}], ids=["attempts unlimited", "one attempt"]
)
@pytest.mark.parametrize("review", REVIEWS)
def test_the_fast_path_answers_as_the_checked_path(
    app, quizzes, take, taking, queries, frozen_clock, checked_only, review, limit, seen
):
    quiz = quizzes.build(questions=[SINGLE, TRUE_FALSE, NUMERIC], review=review, **limit)
    fast_trainee, fast_id = take(quiz)
    checked_trainee, checked_id = take(quiz)
    if not seen:
        forget_every_remembered_value()  # a process that never saw the attempt

    fast = submitted(taking, queries, fast_trainee, fast_id)
    assert paths(queries) == ("fast" if on_postgresql(app) else "checked")
    checked_only()
    checked = submitted(taking, queries, checked_trainee, checked_id)
    assert paths(queries) == "checked"

    assert {**fast.get_json(), "id": checked_id} == checked.get_json()
    for header in ("Content-Type", "Content-Language"):
        assert fast.headers[header] == checked.headers[header]
    # byte for byte what the attempt shows from now on
    assert fast.data == taking.get(fast_trainee, fast_id).data
    assert fast.get_json()["status"] == "submitted"
    scores = {row.question_key: row.score for row in quizzes.answers(fast_id)}
    assert scores == {"single-q": 1.0, "true-false-q": 0.0, "numeric-q": 0.0}


@pytest.mark.parametrize("known", [True, False], ids=["attempt known", "attempt unknown"])
def test_another_trainees_attempt_is_refused_and_left_running(quizzes, take, taking, make, known):
    quiz = quizzes.build(questions=[TRUE_FALSE, NUMERIC])
    owner, attempt_id = take(quiz)
    other, _ = take(quiz)
    if not known:
        forget_every_remembered_value()

    assert taking.submit(other, attempt_id).status_code == 404
    assert make.get(Attempt, attempt_id).status == "in_progress"
    assert taking.submit(owner, attempt_id).get_json()["status"] == "submitted"


def test_their_contact_point_is_refused(quizzes, take, taking, make):
    quiz = quizzes.build(questions=[TRUE_FALSE, NUMERIC])
    _, attempt_id = take(quiz)
    contact_point = make.user(Role.CONTACT_POINT, administration="AZ")

    assert taking.submit(contact_point, attempt_id).status_code == 403
    assert make.get(Attempt, attempt_id).status == "in_progress"


def test_an_unknown_attempt_is_not_found(take, quizzes, taking):
    quiz = quizzes.build(questions=[TRUE_FALSE, NUMERIC])
    trainee, attempt_id = take(quiz)

    assert taking.submit(trainee, attempt_id + 1000).status_code == 404


@pytest.mark.parametrize("known", [True, False], ids=["attempt known", "attempt unknown"])
def test_a_submit_after_the_deadline_closes_the_attempt_as_expired(
    quizzes, take, taking, queries, frozen_clock, make, known
):
    quiz = quizzes.build(questions=[SINGLE, TRUE_FALSE, NUMERIC], time_limit_minutes=30)
    trainee, attempt_id = take(quiz)
    frozen_clock.advance(minutes=31)
    if not known:
        forget_every_remembered_value()

    body = submitted(taking, queries, trainee, attempt_id).get_json()

    assert paths(queries) == "checked"
    assert body["status"] == "expired"
    stored = make.get(Attempt, attempt_id)
    assert stored.submitted_at == stored.deadline_at
    assert stored.score == round(100 / 3, 4)


@pytest.mark.parametrize("known", [True, False], ids=["attempt known", "attempt unknown"])
def test_submitting_again_returns_the_same_result(quizzes, take, taking, queries, known):
    quiz = quizzes.build(questions=[SINGLE, TRUE_FALSE, NUMERIC])
    trainee, attempt_id = take(quiz)
    first = submitted(taking, queries, trainee, attempt_id)
    if not known:
        forget_every_remembered_value()

    again = submitted(taking, queries, trainee, attempt_id)

    assert again.data == first.data
    assert paths(queries) == "checked"


def test_a_pass_is_recorded_by_the_checked_path(app, quizzes, take, taking, queries, make):
    quiz = quizzes.build(questions=[TRUE_FALSE, NUMERIC], review="after_pass_or_close")

    def right(frozen):
        return {question["key"]: correct_response(question) for question in frozen}

    trainee, attempt_id = take(quiz, right)

    body = submitted(taking, queries, trainee, attempt_id).get_json()

    # the fast path read the attempt, found a pass and left it, with nothing written
    assert paths(queries) == "checked"
    assert (body["passed"], body["disclosed"]["answers"]) == (True, True)
    assert make.count(LessonProgress, lesson_id=quiz.quiz_id) == 1
    assert taking.result(trainee, quiz.quiz_id).get_json()["passed"] is True


def test_a_later_attempt_stands_with_the_earlier_ones(
    app, quizzes, take, taking, queries, frozen_clock, checked_only
):
    quiz = quizzes.build(
        questions=[SINGLE, TRUE_FALSE, NUMERIC], review="after_close", max_attempts=2
    )
    shown = {}
    for path in ("fast", "checked"):
        trainee, first_id = take(quiz)
        taking.submit(trainee, first_id)
        attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
        taking.save(trainee, attempt_id, half_right(quizzes.frozen(attempt_id)))
        if path == "checked":
            checked_only()

        response = submitted(taking, queries, trainee, attempt_id)

        assert paths(queries) == (path if on_postgresql(app) else "checked")
        assert response.data == taking.get(trainee, attempt_id).data
        shown[path] = {**response.get_json(), "id": None}
    # every attempt used: the quiz is closed to the trainee, the answers are shown
    assert shown["fast"] == shown["checked"]
    assert shown["fast"]["number"] == 2
    assert shown["fast"]["disclosed"] == {"score": True, "answers": True}
