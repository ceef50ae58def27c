"""Who may call each quizzes endpoint: every actor, every endpoint.

The world: a published course owned by the trainer, with a quiz; the AZ trainee is enrolled and
has an attempt running. Editors (owner, admin) manage the quiz; only the trainee takes it; the
attempt is seen by the trainee, the course's editors and the AZ contact point, and written by
the trainee alone (others who see it get 403, the rest 404).
"""

from __future__ import annotations

from typing import Any

import pytest

from elearn import policy
from tests.authorization import Case, check, expect
from tests.quizzes.builders import NUMERIC, TRUE_FALSE

EDITORS = expect(401, 403, 200, 403, 403, 200)
ATTEMPT_READERS = expect(401, 200, 200, 200, 404, 200)
ATTEMPT_WRITER = expect(401, 200, 403, 403, 404, 403)
NEW_QUESTION = {**NUMERIC, "key": "{actor}-q"}

START = Case(
    "POST",
    "/api/v1/quizzes/{quiz_id}/attempts",
    expect(401, 200, 403, 403, 403, 403),
    name="POST attempts: the enrolled trainee (gets the running one); others are not enrolled",
)
RESULT = Case("GET", "/api/v1/quizzes/{quiz_id}/result", expect(401, 200, 403, 403, 403, 403))

CASES = [
    Case("GET", "/api/v1/quizzes/{quiz_id}", EDITORS),
    Case("PATCH", "/api/v1/quizzes/{quiz_id}/settings", EDITORS, json={"max_attempts": 5}),
    Case(
        "POST",
        "/api/v1/quizzes/{quiz_id}/questions",
        expect(401, 403, 201, 403, 403, 201),
        json=NEW_QUESTION,
    ),
    Case(
        "PUT",
        "/api/v1/quizzes/{quiz_id}/questions/numeric-q",
        EDITORS,
        json={**NUMERIC, "tolerance": 1},
    ),
    Case(
        "DELETE",
        "/api/v1/quizzes/{quiz_id}/questions/numeric-q",
        expect(401, 403, 204, 403, 403, 404),
        name="DELETE a question: editors (the admin finds it gone after the trainer)",
    ),
    Case("GET", "/api/v1/quizzes/{quiz_id}/statistics", EDITORS),
    START,
    RESULT,
    Case("GET", "/api/v1/attempts/{attempt_id}", ATTEMPT_READERS),
    Case(
        "PUT",
        "/api/v1/attempts/{attempt_id}/answers",
        ATTEMPT_WRITER,
        json={"answers": {"true-false-q": {"value": True}}},
    ),
    Case("POST", "/api/v1/attempts/{attempt_id}/submit", ATTEMPT_WRITER),
]


@pytest.fixture
def world(actors, quizzes, taking) -> dict[str, Any]:
    trainee = actors["trainee"]
    quiz = quizzes.build(owners=(actors["trainer"],), questions=[TRUE_FALSE, NUMERIC])
    quizzes.enrol(trainee, quiz.course_id)
    attempt = taking.start(trainee, quiz.quiz_id)
    assert attempt.status_code == 201
    return {"quiz_id": quiz.quiz_id, "attempt_id": attempt.get_json()["id"]}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_authorization(case, client, actors, world):
    check(case, client, actors, world)


def test_a_draft_courses_quiz_is_hidden_from_all_but_its_editors(client, actors, quizzes):
    quiz = quizzes.build(owners=(actors["trainer"],), status="draft")

    check(
        Case("GET", f"/api/v1/quizzes/{quiz.quiz_id}/result", expect(401, 404, 403, 404, 404, 403)),
        client,
        actors,
        {},
    )


def test_submitting_refuses_others_alike_when_their_tokens_are_remembered(
    client, actors, world, live_feed
):
    submit = Case("POST", "/api/v1/attempts/{attempt_id}/submit", ATTEMPT_WRITER)
    check(submit, client, actors, world)  # each holder read, and remembered
    check(submit, client, actors, world)  # each from what the process remembers


@pytest.mark.parametrize("case", [START, RESULT], ids=lambda case: case.id)
def test_taking_refuses_others_alike_when_their_tokens_are_remembered(
    case, client, actors, world, live_feed
):
    check(case, client, actors, world)  # each holder read, and remembered
    check(case, client, actors, world)  # each from what the process remembers


def test_a_draft_courses_quiz_stays_hidden_when_tokens_are_remembered(
    client, actors, quizzes, live_feed
):
    quiz = quizzes.build(owners=(actors["trainer"],), status="draft")
    hidden = expect(401, 404, 403, 404, 404, 403)
    for method, path in (("GET", "result"), ("POST", "attempts")):
        case = Case(method, f"/api/v1/quizzes/{quiz.quiz_id}/{path}", hidden)
        check(case, client, actors, {})
        check(case, client, actors, {})


def test_taking_a_quiz_is_the_rule_the_course_sighting_applies() -> None:
    # Start and result judge ``policy.quizzes.take`` from a remembered sighting of the course,
    # which applies ``policy.courses.visible``: a rule of its own would need its own sighting.
    assert policy.quizzes.take is policy.courses.visible
