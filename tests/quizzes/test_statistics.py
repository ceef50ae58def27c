"""Per-question statistics for trainers, computed in SQL with a constant number of queries."""

from __future__ import annotations

import pytest

from elearn.accounts.models import Role
from tests.quizzes.builders import ALL_KEYS, NUMERIC, TRUE_FALSE, correct_response, wrong_response


def take(quizzes, taking, person, quiz_id, choose, *, submit=True):
    """One attempt whose answers ``choose(frozen question)`` picks (None: leave unanswered)."""
    attempt_id = taking.start(person, quiz_id).get_json()["id"]
    answers = {}
    for question in quizzes.frozen(attempt_id):
        response = choose(question)
        if response is not None:
            answers[question["key"]] = response
    if answers:
        assert taking.save(person, attempt_id, answers).status_code == 200
    if submit:
        taking.submit(person, attempt_id)
    return attempt_id


def half_right(question):
    if question["type"] == "multiple":
        return {"options": question["key_data"]["correct"][:1]}
    if question["type"] == "true_false":
        return correct_response(question)
    return None


def test_statistics_per_question_over_finished_attempts(client, quizzes, taking, trainer, make):
    quiz = quizzes.build(owners=(trainer,))
    people = [make.user(Role.TRAINEE, administration="AZ") for _ in range(4)]
    for person in people:
        quizzes.enrol(person, quiz.course_id)
    take(quizzes, taking, people[0], quiz.quiz_id, correct_response)
    take(quizzes, taking, people[1], quiz.quiz_id, wrong_response)
    take(quizzes, taking, people[2], quiz.quiz_id, half_right)
    take(quizzes, taking, people[3], quiz.quiz_id, correct_response, submit=False)
    client.delete(f"/api/v1/quizzes/{quiz.quiz_id}/questions/ordering-q", headers=trainer.headers)

    response = client.get(f"/api/v1/quizzes/{quiz.quiz_id}/statistics", headers=trainer.headers)

    assert response.status_code == 200
    body = response.get_json()
    assert body["quiz_id"] == quiz.quiz_id
    stats = {row["key"]: row for row in body["questions"]}
    assert list(stats) == ALL_KEYS
    assert stats["multiple-q"] == {
        "key": "multiple-q",
        "type": "multiple",
        "in_quiz": True,
        "attempts": 3,
        "answered": 3,
        "fully_correct_share": pytest.approx(1 / 3, abs=1e-4),
        "average_score": pytest.approx(0.5),
    }
    assert stats["true-false-q"]["answered"] == 3
    assert stats["true-false-q"]["fully_correct_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert stats["numeric-q"]["attempts"] == 3
    assert stats["numeric-q"]["answered"] == 2
    assert stats["numeric-q"]["fully_correct_share"] == 0.5
    assert stats["numeric-q"]["average_score"] == 0.5
    assert stats["ordering-q"]["in_quiz"] is False
    assert stats["ordering-q"]["type"] is None


def test_a_quiz_without_finished_attempts_has_empty_statistics(client, quizzes, trainer):
    quiz = quizzes.build(owners=(trainer,), questions=[NUMERIC])

    body = client.get(f"/api/v1/quizzes/{quiz.quiz_id}/statistics", headers=trainer.headers)

    assert body.get_json()["questions"] == [
        {
            "key": "numeric-q",
            "type": "numeric",
            "in_quiz": True,
            "attempts": 0,
            "answered": 0,
            "fully_correct_share": None,
            "average_score": None,
        }
    ]


def test_statistics_take_the_same_queries_for_one_attempt_or_many(
    client, quizzes, taking, trainer, make, queries
):
    quiz = quizzes.build(owners=(trainer,), questions=[NUMERIC, TRUE_FALSE])
    url = f"/api/v1/quizzes/{quiz.quiz_id}/statistics"
    first = make.user(Role.TRAINEE, administration="AZ")
    quizzes.enrol(first, quiz.course_id)
    take(quizzes, taking, first, quiz.quiz_id, correct_response)
    client.get(url, headers=trainer.headers)  # the token's first use records itself once
    queries.reset()
    client.get(url, headers=trainer.headers)
    with_one = queries.count
    for _ in range(5):
        person = make.user(Role.TRAINEE, administration="GE")
        quizzes.enrol(person, quiz.course_id)
        take(quizzes, taking, person, quiz.quiz_id, wrong_response)

    queries.reset()
    response = client.get(url, headers=trainer.headers)

    assert response.get_json()["questions"][0]["attempts"] == 6
    assert queries.count == with_one
    assert sum("quiz_attempt_answers" in statement for statement in queries.statements) == 1


def test_the_result_and_attempt_reads_take_the_same_queries_for_few_or_many_attempts(
    client, quizzes, taking, make, queries
):
    quiz = quizzes.build(questions=[NUMERIC, TRUE_FALSE])
    trainee = make.user(Role.TRAINEE, administration="AZ")
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = take(quizzes, taking, trainee, quiz.quiz_id, correct_response)
    queries.reset()
    taking.result(trainee, quiz.quiz_id)
    result_with_one = queries.count
    queries.reset()
    taking.get(trainee, attempt_id)
    read_with_one = queries.count
    for _ in range(4):
        take(quizzes, taking, trainee, quiz.quiz_id, wrong_response)

    queries.reset()
    result = taking.result(trainee, quiz.quiz_id)
    result_with_five = queries.count
    queries.reset()
    taking.get(trainee, attempt_id)

    assert len(result.get_json()["attempts"]) == 5
    assert result_with_five == result_with_one
    assert queries.count == read_with_one


def test_the_editors_quiz_takes_the_same_queries_for_one_question_or_seven(
    client, quizzes, trainer, queries
):
    small = quizzes.build(owners=(trainer,), questions=[NUMERIC])
    full = quizzes.build(owners=(trainer,))
    client.get(f"/api/v1/quizzes/{small.quiz_id}", headers=trainer.headers)
    queries.reset()
    client.get(f"/api/v1/quizzes/{small.quiz_id}", headers=trainer.headers)
    with_one = queries.count

    queries.reset()
    response = client.get(f"/api/v1/quizzes/{full.quiz_id}", headers=trainer.headers)

    assert len(response.get_json()["questions"]) == 7
    assert queries.count == with_one
