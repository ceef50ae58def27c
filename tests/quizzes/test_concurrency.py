"""Concurrent requests on one attempt apply one after the other (PostgreSQL row locks)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from elearn.accounts.models import Role
from elearn.extensions import db
from elearn.quizzes.models import Attempt, AttemptAnswer
from tests.quizzes.builders import NUMERIC, TRUE_FALSE
from tests.quizzes.racing import SAVED_MEANWHILE, while_a_save_holds_the_attempt

pytestmark = pytest.mark.committed
THREADS = 8


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks exist on PostgreSQL; SQLite serialises writers")


def in_parallel(app, send, count=THREADS):
    """``send(client, n)`` from ``count`` threads at once, each with its own client."""
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda n: send(app.test_client(), n), range(count)))


def test_concurrent_starts_make_one_attempt(app, quizzes, make):
    quiz = quizzes.build(questions=[TRUE_FALSE])
    trainee = make.user(Role.TRAINEE, administration="AZ")
    quizzes.enrol(trainee, quiz.course_id)
    url = f"/api/v1/quizzes/{quiz.quiz_id}/attempts"

    responses = in_parallel(app, lambda client, _: client.post(url, headers=trainee.headers))

    assert sorted(r.status_code for r in responses) == [200] * (THREADS - 1) + [201]
    assert len({r.get_json()["id"] for r in responses}) == 1
    assert make.count(Attempt) == 1


def test_concurrent_saves_and_submits_leave_one_consistent_graded_attempt(
    app, quizzes, taking, make
):
    quiz = quizzes.build(questions=[TRUE_FALSE, NUMERIC])
    trainee = make.user(Role.TRAINEE, administration="AZ")
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]

    def send(client, n):
        if n % 4 == 3:
            return client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=trainee.headers)
        return client.put(
            f"/api/v1/attempts/{attempt_id}/answers",
            json={"answers": {"numeric-q": {"value": n}, "true-false-q": {"value": n % 2 == 0}}},
            headers=trainee.headers,
        )

    responses = in_parallel(app, send)

    assert {r.status_code for r in responses} <= {200, 409}
    submits = [r.get_json() for n, r in enumerate(responses) if n % 4 == 3]
    assert all(body == submits[0] for body in submits)
    assert submits[0]["status"] == "submitted"
    assert make.count(AttemptAnswer, attempt_id=attempt_id) == 2
    rows = quizzes.answers(attempt_id)
    assert all(row.score is not None for row in rows)


def test_a_submit_that_waited_for_a_save_grades_what_it_saved(app, quizzes, taking, make, queries):
    """A save committed while the submit waited for the row must still be graded and shown:
    the fast path's close, which waited, finds a version other than the one it read and
    leaves the submit to the checked path, which reads the answers with the lock."""
    quiz = quizzes.build(questions=[TRUE_FALSE, NUMERIC], review="after_submission")
    trainee = make.user(Role.TRAINEE, administration="AZ")
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    taking.save(trainee, attempt_id, {"true-false-q": {"value": False}})

    response = while_a_save_holds_the_attempt(
        app,
        attempt_id,
        lambda: app.test_client().post(
            f"/api/v1/attempts/{attempt_id}/submit", headers=trainee.headers
        ),
    )

    assert response.status_code == 200, response.get_json()
    # the fast path's close, which closed nothing, then the checked path's
    assert sum("WITH closed AS" in s for s in queries.statements) == 2
    questions = {question["key"]: question for question in response.get_json()["questions"]}
    assert questions["numeric-q"]["response"] == SAVED_MEANWHILE["numeric-q"]
    assert questions["numeric-q"]["score"] == 1.0
    assert response.get_json()["score"] == 100.0
    stored = {row.question_key: row.score for row in quizzes.answers(attempt_id)}
    assert stored == {"true-false-q": 1.0, "numeric-q": 1.0}
