"""Answer keys never leave the server before the review policy allows, for every question type.

Every response of the attempt flow (start, start again, read, save, submit, submit again,
result, and the error answers) is searched for the key: fields that carry keys or feedback, and
the key's own values (the numeric answer and tolerance, accepted texts, the matching pairs, the
right order, feedback texts). Option ids are not secret: every option is shown.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from elearn.accounts.models import Role
from elearn.quizzes.types.short_text import normalize_text
from tests.quizzes.builders import ALL_TYPES, wrong_response

POLICIES = ("none", "score", "after_submission", "after_close", "after_pass_or_close")
KEY_FIELDS = {"correct", "correct_answer", "key_data", "accepted", "tolerance", "answer"}
RUN_ENDS = "2026-03-20T00:00:00+00:00"


def secrets_of(question: dict[str, Any], definition: dict[str, Any]) -> dict[str, Any]:
    """What would give the key (and the feedback) away, read from the frozen question."""
    key = question["key_data"]
    found: dict[str, Any] = {"texts": [], "numbers": [], "mappings": [], "lists": []}
    if question["type"] == "numeric":
        found["numbers"] = [key["answer"], key["tolerance"]]
    if question["type"] == "short_text":
        found["texts"] = [normalize_text(text) for text in key["accepted"]]
    if question["type"] == "matching":
        found["mappings"] = [key["pairs"]]
    if question["type"] == "ordering":
        found["lists"] = [key["order"]]
    if definition.get("feedback"):
        found["texts"] += [normalize_text(text) for text in definition["feedback"].values()]
    return found


def logged_as_a_number(number: float, logged: str) -> bool:
    """Whether ``number`` stands alone in the log (a tolerance of 0.25 is not in "0.2554s")."""
    return re.search(rf"(?<![\d.]){re.escape(str(number))}(?![\d])", logged) is not None


def leaks(body: Any, secrets: dict[str, Any]) -> list[str]:
    """Every place in a JSON body that shows a key field, a key value or feedback."""
    found: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            if value in secrets["mappings"]:
                found.append(f"{path}: the matching pairs")
            for name, item in value.items():
                if name in KEY_FIELDS or (name == "feedback" and item is not None):
                    found.append(f"{path}.{name}: a key field")
                walk(item, f"{path}.{name}")
        elif isinstance(value, list):
            if value in secrets["lists"]:
                found.append(f"{path}: the right order")
            for number, item in enumerate(value):
                walk(item, f"{path}[{number}]")
        elif isinstance(value, float | int) and not isinstance(value, bool):
            if value in secrets["numbers"]:
                found.append(f"{path}: a key number {value}")
        elif isinstance(value, str) and any(t in normalize_text(value) for t in secrets["texts"]):
            found.append(f"{path}: a key text")

    walk(body, "$")
    return found


def enrol_in_a_run(client, quizzes, trainer, course_id, *trainees):
    run = client.post(
        f"/api/v1/courses/{course_id}/runs",
        json={"name": "March", "ends_at": RUN_ENDS},
        headers=trainer.headers,
    )
    assert run.status_code == 201, run.get_json()
    for trainee in trainees:
        quizzes.enrol(trainee, course_id, run_id=run.get_json()["id"])


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("definition", ALL_TYPES, ids=lambda q: q["type"])
def test_no_response_shows_the_key_before_the_review_policy_allows(
    client, quizzes, taking, trainer, make, frozen_clock, caplog, policy, definition
):
    caplog.set_level(logging.DEBUG)
    trainee = make.user(Role.TRAINEE, administration="AZ")
    other = make.user(Role.TRAINEE, administration="GE")
    quiz = quizzes.build(
        owners=(trainer,),
        questions=[definition],
        review=policy,
        max_attempts=2,
        time_limit_minutes=30,
        shuffle_options=True,
    )
    enrol_in_a_run(client, quizzes, trainer, quiz.course_id, trainee, other)
    before: list[tuple[str, Any]] = []
    after: list[tuple[str, Any]] = []

    def record(bucket, name, response, status):
        assert response.status_code == status, (name, response.get_json())
        bucket.append((name, response.get_json()))

    started = taking.start(trainee, quiz.quiz_id)
    record(before, "start", started, 201)
    attempt_id = started.get_json()["id"]
    frozen = quizzes.frozen(attempt_id)[0]
    secrets = secrets_of(frozen, definition)
    key = frozen["key"]
    record(before, "start again", taking.start(trainee, quiz.quiz_id), 200)
    record(before, "read", taking.get(trainee, attempt_id), 200)
    record(before, "save", taking.save(trainee, attempt_id, {key: wrong_response(frozen)}), 200)
    record(before, "save: wrong type", taking.save(trainee, attempt_id, {key: {"x": 1}}), 422)
    record(before, "save: not asked", taking.save(trainee, attempt_id, {"nope": {}}), 422)
    record(before, "read: another trainee", taking.get(other, attempt_id), 404)
    record(before, "submit: another trainee", taking.submit(other, attempt_id), 404)
    record(before, "result: running", taking.result(trainee, quiz.quiz_id), 200)
    submitted = taking.submit(trainee, attempt_id)
    reveal_at_submission = policy == "after_submission"
    bucket = after if reveal_at_submission else before
    record(bucket, "submit", submitted, 200)
    record(bucket, "submit again", taking.submit(trainee, attempt_id), 200)
    record(bucket, "read: submitted", taking.get(trainee, attempt_id), 200)
    record(bucket, "result: submitted", taking.result(trainee, quiz.quiz_id), 200)
    record(bucket, "save: submitted", taking.save(trainee, attempt_id, {key: None}), 409)
    frozen_clock.advance(days=30)
    shows_when_closed = ("after_submission", "after_close", "after_pass_or_close")
    closed_bucket = after if policy in shows_when_closed else before
    record(closed_bucket, "read: run closed", taking.get(trainee, attempt_id), 200)
    record(closed_bucket, "start: run closed", taking.start(trainee, quiz.quiz_id), 409)

    shown = {name: leaks(body, secrets) for name, body in before}
    assert {name: found for name, found in shown.items() if found} == {}
    for name, body in before:
        for question in (body or {}).get("questions", []):
            assert "score" not in question, name
    if policy == "none":
        assert all(body.get("score") is None for _, body in before if "score" in body)
        assert all(body.get("grade") is None for _, body in before if "grade" in body)
    revealed = [
        name for name, body in after if leaks(body, secrets) or "correct_answer" in json.dumps(body)
    ]
    assert revealed == [name for name, body in after if "questions" in body]
    logged = caplog.text
    assert "key_data" not in logged
    assert not any(text in normalize_text(logged) for text in secrets["texts"])
    assert not any(logged_as_a_number(number, logged) for number in secrets["numbers"])


def test_a_contact_point_sees_the_score_of_their_officers_attempt_never_its_answers(
    quizzes, taking, make
):
    """A contact point may take the same course: a review must not hand them the key."""
    quiz = quizzes.build(questions=ALL_TYPES, review="after_submission")
    trainee = make.user(Role.TRAINEE, administration="AZ")
    contact_point = make.user(Role.CONTACT_POINT, Role.TRAINEE, administration="AZ")
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    taking.submit(trainee, attempt_id)

    seen = taking.get(contact_point, attempt_id)

    assert seen.status_code == 200
    body = seen.get_json()
    assert body["disclosed"] == {"score": True, "answers": False}
    assert body["score"] == 0
    for question, frozen in zip(body["questions"], quizzes.frozen(attempt_id), strict=True):
        assert leaks(question, secrets_of(frozen, question)) == []
        assert "correct_answer" not in question
    assert "correct_answer" in json.dumps(taking.get(trainee, attempt_id).get_json())
