"""Statements per quiz request, authentication apart (the token already used, so it writes
nothing): each write holds and reads the attempt (with its answers) or enrolment row in one
statement, and the result is the quiz and the enrolment with its attempts, one statement each."""

from __future__ import annotations

import pytest

from elearn.accounts.models import Role
from elearn.extensions import db
from elearn.http_cache import forget_every_remembered_value
from tests.quizzes.builders import NUMERIC, TRUE_FALSE, correct_response, wrong_response


def dialect(app):
    with app.app_context():
        return db.engine.dialect.name


@pytest.fixture
def quiz(quizzes):
    return quizzes.build(questions=[TRUE_FALSE, NUMERIC], review="after_pass_or_close")


@pytest.fixture
def enrolled(quizzes, quiz, make, taking):
    trainee = make.user(Role.TRAINEE, administration="AZ")
    quizzes.enrol(trainee, quiz.course_id)
    taking.result(trainee, quiz.quiz_id)  # the token's first use records itself once
    return trainee


def statements_of(queries, request):
    """The request's statements but those that authenticate (the token's table)."""
    queries.reset()
    response = request()
    assert response.status_code < 300, response.get_json()
    return sum("api_tokens" not in statement for statement in queries.statements)


def test_a_save_for_a_remembered_token_does_not_authenticate(
    live_feed, quiz, enrolled, quizzes, taking, queries
):
    attempt_id = taking.start(enrolled, quiz.quiz_id).get_json()["id"]
    question = quizzes.frozen(attempt_id)[0]
    answer = {question["key"]: correct_response(question)}
    taking.save(enrolled, attempt_id, answer)
    queries.reset()
    assert taking.save(enrolled, attempt_id, answer).status_code == 200
    assert not [statement for statement in queries.statements if "api_tokens" in statement]


def test_starting_and_the_result_for_a_remembered_token_do_not_authenticate(
    live_feed, quiz, enrolled, taking, queries
):
    taking.start(enrolled, quiz.quiz_id)
    taking.result(enrolled, quiz.quiz_id)

    # neither the account nor the course's visibility is read: the holder's scope and what
    # that scope sees are remembered (the running attempt found again: as counted below)
    assert statements_of(queries, lambda: taking.start(enrolled, quiz.quiz_id)) == 4
    assert not [s for s in queries.statements if "api_tokens" in s or "FROM users" in s]
    assert statements_of(queries, lambda: taking.result(enrolled, quiz.quiz_id)) == 2
    assert not [s for s in queries.statements if "api_tokens" in s or "FROM users" in s]


def test_starting_locks_the_enrolment_reads_its_attempts_and_inserts(
    live_feed, quiz, enrolled, taking, queries
):
    # the quiz with its course (whether the caller may see it is remembered since the
    # fixture's first request; without a live feed, one more statement asks); the enrolment
    # held; its attempts; the new attempt
    assert statements_of(queries, lambda: taking.start(enrolled, quiz.quiz_id)) == 4
    # the same reads find the running attempt, shown with its answers
    assert statements_of(queries, lambda: taking.start(enrolled, quiz.quiz_id)) == 4


def test_saving_is_one_statement_on_postgresql(quiz, enrolled, quizzes, taking, queries, app):
    attempt_id = taking.start(enrolled, quiz.quiz_id).get_json()["id"]
    frozen = quizzes.frozen(attempt_id)
    answers = {question["key"]: correct_response(question) for question in frozen}
    cleared = {frozen[0]["key"]: None, frozen[1]["key"]: correct_response(frozen[1])}
    # PostgreSQL: the attempt held, the answers deleted and upserted, the keys answered read,
    # in one statement. SQLite (no writes in WITH): the attempt checked, the upsert, the keys
    # answered; clearing is one more statement.
    postgresql = dialect(app) == "postgresql"

    assert statements_of(queries, lambda: taking.save(enrolled, attempt_id, answers)) == (
        1 if postgresql else 3
    )
    assert statements_of(queries, lambda: taking.save(enrolled, attempt_id, cleared)) == (
        1 if postgresql else 4
    )
    # a process that did not start the attempt reads its frozen questions once
    forget_every_remembered_value()
    assert statements_of(queries, lambda: taking.save(enrolled, attempt_id, answers)) == (
        2 if postgresql else 4
    )
    assert statements_of(queries, lambda: taking.save(enrolled, attempt_id, answers)) == (
        1 if postgresql else 3
    )


def test_submitting_a_failed_first_attempt_is_two_statements_on_postgresql(
    quiz, enrolled, quizzes, taking, queries, app, live_feed
):
    attempt_id = taking.start(enrolled, quiz.quiz_id).get_json()["id"]
    frozen = quizzes.frozen(attempt_id)
    taking.save(enrolled, attempt_id, {frozen[0]["key"]: wrong_response(frozen[0])})
    taking.get(enrolled, attempt_id)  # the process now knows the quiz's settings
    postgresql = dialect(app) == "postgresql"

    # PostgreSQL (the fast path): the attempt's version read with its answers and run; the
    # attempt closed in that version and a row for every question with its score, each
    # statement committing itself. SQLite: the attempt held with its answers, enrolment and
    # run; its close; the scores (no writes in WITH). A first attempt is the trainee's whole
    # history: the grade needs no other.
    assert statements_of(queries, lambda: taking.submit(enrolled, attempt_id)) == (
        2 if postgresql else 3
    )
    assert [s for s in queries.statements if "FOR UPDATE" in s] == []
    # nor the frozen questions, which the process that started the attempt knows
    assert not [statement for statement in queries.statements if "questions" in statement]
    # submitting again (the checked path: this process closed the attempt): the attempt held,
    # the trainee's attempts (for the review policy)
    assert statements_of(queries, lambda: taking.submit(enrolled, attempt_id)) == 2
    # the quiz's settings, once a process has read them, are not read again
    assert not [statement for statement in queries.statements if "quiz_definitions" in statement]


def test_submitting_a_second_attempt_reads_the_earlier_ones(
    quiz, enrolled, quizzes, taking, queries, app, live_feed
):
    for _ in range(2):
        attempt_id = taking.start(enrolled, quiz.quiz_id).get_json()["id"]
        frozen = quizzes.frozen(attempt_id)
        taking.save(enrolled, attempt_id, {frozen[0]["key"]: wrong_response(frozen[0])})
        taking.get(enrolled, attempt_id)
        count = statements_of(queries, lambda a=attempt_id: taking.submit(enrolled, a))

    # PostgreSQL (the fast path): the attempt's version with its answers, the trainee's
    # attempts, its close with the scores. SQLite: the held attempt, its close, the scores, the
    # trainee's attempts
    assert count == (3 if dialect(app) == "postgresql" else 4)
    assert taking.result(enrolled, quiz.quiz_id).get_json()["attempts_used"] == 2


def test_a_process_that_never_saw_the_attempt_reads_its_frozen_facts_with_its_answers(
    quiz, enrolled, quizzes, taking, queries, app, live_feed
):
    attempt_id = taking.start(enrolled, quiz.quiz_id).get_json()["id"]
    frozen = quizzes.frozen(attempt_id)
    taking.save(enrolled, attempt_id, {q["key"]: wrong_response(q) for q in frozen})
    forget_every_remembered_value()
    taking.result(enrolled, quiz.quiz_id)
    postgresql = dialect(app) == "postgresql"

    # PostgreSQL: the frozen facts with the version and the answers, the close; nothing held.
    # SQLite: the checked path's held attempt with its questions, and its writes.
    count = statements_of(queries, lambda: taking.submit(enrolled, attempt_id))
    assert count == (2 if postgresql else 3)
    assert [s for s in queries.statements if "quiz_attempts.questions" in s]
    assert not postgresql or not [s for s in queries.statements if "FOR UPDATE" in s]
    assert taking.submit(enrolled, attempt_id).get_json()["score"] == 0


def test_the_result_is_two_statements_however_many_attempts(
    live_feed, quiz, enrolled, quizzes, taking, queries
):
    assert statements_of(queries, lambda: taking.result(enrolled, quiz.quiz_id)) == 2
    for respond in (wrong_response, correct_response):
        attempt_id = taking.start(enrolled, quiz.quiz_id).get_json()["id"]
        frozen = quizzes.frozen(attempt_id)
        taking.save(enrolled, attempt_id, {q["key"]: respond(q) for q in frozen})
        taking.submit(enrolled, attempt_id)

    response = taking.result(enrolled, quiz.quiz_id)
    assert response.get_json()["attempts_used"] == 2
    assert statements_of(queries, lambda: taking.result(enrolled, quiz.quiz_id)) == 2
    # nor do they read the attempts' frozen questions, which a result never shows, nor the
    # quiz's definition (its settings are remembered)
    assert not [statement for statement in queries.statements if "questions" in statement]
    assert not [s for s in queries.statements if "quiz_definitions.definition" in s]
