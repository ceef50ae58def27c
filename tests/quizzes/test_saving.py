"""Saving answers: every refusal is the same whether or not this process knows the attempt's
frozen questions already, and leaves the attempt and its answers as they were; the progress
document is what its schema documents."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from elearn.accounts.models import Role
from elearn.extensions import db
from elearn.http_cache import forget_every_remembered_value
from elearn.quizzes.models import Attempt
from elearn.quizzes.queries import AttemptProgress, progress_document
from elearn.quizzes.schemas import AttemptProgressSchema
from tests.quizzes.builders import NUMERIC, TRUE_FALSE
from tests.quizzes.racing import while_a_save_holds_the_attempt

PROBLEM = "application/problem+json"


@pytest.fixture
def quiz(quizzes):
    return quizzes.build(questions=[TRUE_FALSE, NUMERIC], time_limit_minutes=30)


@pytest.fixture
def started(quiz, quizzes, taking, trainee, frozen_clock):
    """A running attempt of 30 minutes started at the frozen clock's time, one answer saved."""
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    assert taking.save(trainee, attempt_id, {"numeric-q": {"value": 7}}).status_code == 200
    return attempt_id


def stored(quizzes, make, attempt_id):
    attempt = make.get(Attempt, attempt_id)
    answers = {
        (row.question_key, str(row.response), row.saved_at) for row in quizzes.answers(attempt_id)
    }
    return attempt.status, attempt.updated_at, answers


@pytest.fixture(params=["known", "unknown"], ids=["questions known", "questions read"])
def knowledge(request):
    """Whether this process knows the attempt's frozen questions before the save."""
    return request.param


def saved(taking, person, attempt_id, answers, knowledge):
    if knowledge == "unknown":
        forget_every_remembered_value()
    return taking.save(person, attempt_id, answers)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"no-such-q": {"value": True}}, "no-such-q"),
        ({"true-false-q": {"value": 3}}, "true-false-q"),
    ],
    ids=["unknown question", "invalid answer"],
)
def test_bad_answers_are_refused_and_change_nothing(
    quizzes, taking, trainee, make, started, knowledge, answers, field
):
    before = stored(quizzes, make, started)

    response = saved(taking, trainee, started, {"numeric-q": None, **answers}, knowledge)

    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert list(response.get_json()["errors"]) == [field]
    assert stored(quizzes, make, started) == before


def test_a_submitted_attempt_refuses_answers_even_bad_ones(
    quizzes, taking, trainee, make, started, knowledge
):
    taking.submit(trainee, started)
    before = stored(quizzes, make, started)

    for answers in ({"true-false-q": {"value": True}}, {"true-false-q": {"value": 3}}):
        response = saved(taking, trainee, started, answers, knowledge)
        assert response.status_code == 409
        assert response.get_json()["attempt_status"] == "submitted"
    assert stored(quizzes, make, started) == before


def test_an_attempt_out_of_time_refuses_answers_and_is_closed(
    quizzes, taking, trainee, make, started, knowledge, frozen_clock
):
    frozen_clock.advance(minutes=30)

    response = saved(taking, trainee, started, {"true-false-q": {"value": True}}, knowledge)

    assert response.status_code == 409
    assert response.get_json()["attempt_status"] == "expired"
    status, _, answers = stored(quizzes, make, started)
    assert status == "expired"
    assert {key for key, response, _ in answers if response != "None"} == {"numeric-q"}


def test_another_users_attempt_is_hidden_or_forbidden(
    quizzes, taking, trainee, make, started, knowledge
):
    stranger = make.user(Role.TRAINEE, administration="GE")
    contact_point = make.user(Role.CONTACT_POINT, administration="AZ")
    before = stored(quizzes, make, started)

    answers = {"true-false-q": {"value": True}}
    assert saved(taking, stranger, started, answers, knowledge).status_code == 404
    assert saved(taking, contact_point, started, answers, knowledge).status_code == 403
    assert stored(quizzes, make, started) == before


def test_an_unknown_attempt_is_not_found(taking, trainee, knowledge):
    response = saved(taking, trainee, 999_999, {"true-false-q": {"value": True}}, knowledge)

    assert response.status_code == 404
    assert response.mimetype == PROBLEM


@pytest.fixture
def transactions(app) -> Iterator[list[tuple[str, bool]]]:
    """Each statement sent, but the token's and SQLite's BEGIN, and whether it committed itself
    (autocommit: psycopg sends no BEGIN and no COMMIT, SQLAlchemy no BEGIN IMMEDIATE)."""
    sent: list[tuple[str, bool]] = []

    def record(connection, _cursor, statement, *_args) -> None:
        alone = connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        if "api_tokens" not in statement and not statement.startswith("BEGIN"):
            sent.append((statement.split()[0], alone))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


@pytest.mark.committed
def test_a_save_on_postgresql_is_one_statement_committing_itself(
    app, quiz, quizzes, taking, trainee, make, transactions
):
    """No BEGIN and no COMMIT: the statement is its transaction (the WAL flush as before)."""
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    taking.save(trainee, attempt_id, {"numeric-q": {"value": 7}})  # the token used once
    transactions.clear()

    response = taking.save(trainee, attempt_id, {"true-false-q": {"value": True}})

    assert response.get_json()["answered"] == ["true-false-q", "numeric-q"]
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        assert transactions == [("WITH", True)]
    else:  # several statements, which must see one state of the attempt: one transaction
        assert transactions
        assert not any(alone for _, alone in transactions)
    saved_keys = {row.question_key for row in quizzes.answers(attempt_id)}
    assert saved_keys == {"true-false-q", "numeric-q"}


@pytest.mark.committed
def test_a_refused_save_is_checked_in_one_transaction_and_changes_nothing(
    quiz, quizzes, taking, trainee, make, transactions
):
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    taking.save(trainee, attempt_id, {"numeric-q": {"value": 7}})
    before = stored(quizzes, make, attempt_id)
    transactions.clear()

    response = taking.save(trainee, attempt_id, {"true-false-q": {"value": "yes"}})

    assert response.status_code == 422
    checked = [statement for statement in transactions if statement[0] != "WITH"]
    assert checked
    assert not any(alone for _, alone in checked)
    assert stored(quizzes, make, attempt_id) == before


def test_answers_saved_in_a_process_that_did_not_start_the_attempt(
    quizzes, taking, trainee, make, started
):
    forget_every_remembered_value()
    response = taking.save(trainee, started, {"true-false-q": {"value": False}})

    assert response.status_code == 200
    assert response.get_json()["answered"] == ["true-false-q", "numeric-q"]


@pytest.mark.parametrize("deadline", [None, datetime(2026, 3, 2, 9, 30, 0, 1500, tzinfo=UTC)])
def test_the_progress_document_is_what_its_schema_documents(deadline):
    progress = AttemptProgress(
        id=4, status="in_progress", deadline_at=deadline, answered=["b", "a"], question_count=3
    )

    assert progress_document(progress) == AttemptProgressSchema().dump(progress)


@pytest.mark.committed
def test_a_save_that_waited_for_another_reports_its_answers_too(
    app, quizzes, taking, trainee, make
):
    """On PostgreSQL the one-statement save reads answers with the snapshot it started with: a
    save committed while it waited for the attempt row must still be in what it reports."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks exist on PostgreSQL; SQLite serialises writers")
    quiz = quizzes.build(questions=[TRUE_FALSE, NUMERIC])
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    response = while_a_save_holds_the_attempt(
        app,
        attempt_id,
        lambda: app.test_client().put(
            f"/api/v1/attempts/{attempt_id}/answers",
            json={"answers": {"true-false-q": {"value": True}}},
            headers=trainee.headers,
        ),
    )

    assert response.status_code == 200
    assert response.get_json()["answered"] == ["true-false-q", "numeric-q"]
