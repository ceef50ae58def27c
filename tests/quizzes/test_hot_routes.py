"""Hot routes (``elearn.hot_routes``): a save or submit of a trainee's own attempt is answered
before Flask's pipeline exactly as the endpoint answers it there; every request a hot route
cannot settle alone reaches the endpoint untouched, which answers it as always."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, event
from sqlalchemy.exc import OperationalError
from werkzeug.test import EnvironBuilder, run_wsgi_app

from elearn.accounts import tokens
from elearn.accounts.models import ApiToken, Role
from elearn.extensions import db
from elearn.hot_routes import HotRoutes
from elearn.http_cache import forget_every_remembered_value
from elearn.quizzes.service import answers
from tests.quizzes.builders import NUMERIC, TRUE_FALSE, correct_response, wrong_response

PROBLEM = "application/problem+json"


@pytest.fixture
def quiz(quizzes):
    return quizzes.build(questions=[TRUE_FALSE, NUMERIC], time_limit_minutes=30)


@pytest.fixture
def attempt(quiz, quizzes, taking, trainee, frozen_clock) -> int:
    """A running attempt of the trainee's, its questions known to this process."""
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id: int = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    return attempt_id


def right(quizzes, attempt_id: int, key: str) -> dict[str, Any]:
    (question,) = [question for question in quizzes.frozen(attempt_id) if question["key"] == key]
    return correct_response(question)


def on_postgresql(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


@pytest.fixture
def hot(app) -> HotRoutes:
    routes = app.wsgi_app
    assert isinstance(routes, HotRoutes)
    return routes


class Pipeline:
    """Flask's pipeline behind the hot routes, counting the requests that reach it."""

    def __init__(self, hot: HotRoutes) -> None:
        self.flask = hot.pipeline
        self.reached = 0

    def __call__(self, environ: Any, start_response: Any) -> Any:
        self.reached += 1
        return self.flask(environ, start_response)


@pytest.fixture
def pipeline(hot, attempt, monkeypatch) -> Pipeline:
    """Counting from the attempt's start on."""
    counting = Pipeline(hot)
    monkeypatch.setattr(hot, "pipeline", counting)
    return counting


def answer(application: Callable[..., Any], **request: Any) -> tuple[str, list[Any], bytes]:
    """Status, headers (sorted) and body of ``application``'s answer to the request."""
    environ = EnvironBuilder(**request).get_environ()
    body, status, headers = run_wsgi_app(application, environ, buffered=True)
    return status, sorted(headers.items()), b"".join(body)


def save_request(person, attempt_id: int, answers_given: dict[str, Any]) -> dict[str, Any]:
    return {
        "method": "PUT",
        "path": f"/api/v1/attempts/{attempt_id}/answers",
        "headers": person.headers,
        "json": {"answers": answers_given},
    }


def submit_request(person, attempt_id: int) -> dict[str, Any]:
    return {
        "method": "POST",
        "path": f"/api/v1/attempts/{attempt_id}/submit",
        "headers": person.headers,
    }


def test_a_save_is_answered_before_flask_as_flask_answers_it(
    hot, pipeline, attempt, trainee, quizzes
):
    given = {"numeric-q": right(quizzes, attempt, "numeric-q"), "true-false-q": None}

    hot_answer = answer(hot, **save_request(trainee, attempt, given))
    assert pipeline.reached == 0
    flask_answer = answer(pipeline.flask, **save_request(trainee, attempt, given))

    assert hot_answer[0] == "200 OK"
    assert hot_answer == flask_answer
    assert json.loads(hot_answer[2])["answered"] == ["numeric-q"]
    assert {row.question_key for row in quizzes.answers(attempt)} == {"numeric-q"}


def test_a_submit_is_answered_before_flask_as_flask_answers_it_again(
    hot, pipeline, attempt, trainee, quizzes, taking, app
):
    (numeric,) = [q for q in quizzes.frozen(attempt) if q["key"] == "numeric-q"]
    taking.save(trainee, attempt, {"numeric-q": wrong_response(numeric)})

    hot_answer = answer(hot, **submit_request(trainee, attempt))
    # SQLite has no fast path for a submit: the endpoint answers
    assert pipeline.reached == (0 if on_postgresql(app) else 1)
    # submitting again is the endpoint's own (this process closed the attempt): the same result
    flask_answer = answer(hot, **submit_request(trainee, attempt))
    assert pipeline.reached == (1 if on_postgresql(app) else 2)

    assert hot_answer[0] == "200 OK"
    assert hot_answer == flask_answer
    assert ("Content-Language", "en") in hot_answer[1]
    assert json.loads(hot_answer[2])["status"] == "submitted"


def test_a_submit_that_passes_is_recorded_by_the_endpoint(
    hot, pipeline, attempt, trainee, taking, quizzes
):
    taking.save(
        trainee,
        attempt,
        {key: right(quizzes, attempt, key) for key in ("numeric-q", "true-false-q")},
    )

    status, _, body = answer(hot, **submit_request(trainee, attempt))

    assert (status, pipeline.reached) == ("200 OK", 1)
    assert json.loads(body)["passed"] is True


@pytest.fixture
def other_trainee(make):
    return make.user(Role.TRAINEE, administration="AZ")


DECLINED = [
    # (what differs from a save the hot route answers, its status from the endpoint)
    ("a query string", lambda request: {**request, "query_string": "x=1"}, 200),
    (
        "a cookie",
        lambda request: {**request, "headers": {**request["headers"], "Cookie": "a=b"}},
        200,
    ),
    ("no token", lambda request: {**request, "headers": {}}, 401),
    (
        "an unknown token",
        lambda request: {**request, "headers": {"Authorization": "Bearer elearn_unknown"}},
        401,
    ),
    (
        "not JSON",
        lambda request: {**request, "json": None, "data": "{", "content_type": "application/json"},
        400,
    ),
    ("another field", lambda request: {**request, "json": {**request["json"], "x": 1}}, 422),
    ("no answer", lambda request: {**request, "json": {"answers": {}}}, 422),
    (
        "a bad answer",
        lambda request: {**request, "json": {"answers": {"numeric-q": {"value": "x"}}}},
        422,
    ),
    (
        "plain text",
        lambda request: {**request, "json": None, "data": "x", "content_type": "text/plain"},
        415,
    ),
]


@pytest.mark.parametrize(
    ("change", "status"),
    [(change, status) for _, change, status in DECLINED],
    ids=[name for name, _, _ in DECLINED],
)
def test_a_save_the_hot_route_cannot_settle_reaches_the_endpoint(
    hot, pipeline, attempt, trainee, quizzes, change, status
):
    request = change(save_request(trainee, attempt, {"numeric-q": {"value": 1}}))
    before = {(row.question_key, str(row.response)) for row in quizzes.answers(attempt)}

    answered, headers, _ = answer(hot, **request)

    assert pipeline.reached == 1
    assert int(answered.split()[0]) == status
    if status >= 400:
        assert dict(headers)["Content-Type"] == PROBLEM
        assert {(row.question_key, str(row.response)) for row in quizzes.answers(attempt)} == (
            before
        )


def test_a_body_over_the_limit_reaches_the_endpoint(hot, pipeline, attempt, trainee, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    request = save_request(trainee, attempt, {"numeric-q": {"value": 1, "x": "y" * limit}})

    status, _, _ = answer(hot, **request)

    assert (status, pipeline.reached) == ("413 REQUEST ENTITY TOO LARGE", 1)


def test_another_trainees_attempt_reaches_the_endpoint(
    hot, pipeline, attempt, other_trainee, quizzes
):
    status, _, _ = answer(hot, **save_request(other_trainee, attempt, {"numeric-q": {"value": 1}}))

    assert (status, pipeline.reached) == ("404 NOT FOUND", 1)
    assert quizzes.answers(attempt) == []


def test_an_attempt_past_its_deadline_reaches_the_endpoint(
    hot, pipeline, attempt, trainee, frozen_clock
):
    frozen_clock.advance(minutes=31)

    status, _, _ = answer(hot, **save_request(trainee, attempt, {"numeric-q": {"value": 1}}))

    assert (status, pipeline.reached) == ("409 CONFLICT", 1)


def test_a_revoked_token_is_refused_by_the_endpoint(
    hot, pipeline, attempt, trainee, client, make, live_feed
):
    assert answer(hot, **save_request(trainee, attempt, {"numeric-q": {"value": 1}}))[0] == "200 OK"
    (token,) = make.all(ApiToken, user_id=trainee.id)
    revoked = client.delete(f"/api/v1/me/tokens/{token.id}", headers=trainee.headers)
    assert revoked.status_code == 204
    pipeline.reached = 0

    status, _, _ = answer(hot, **save_request(trainee, attempt, {"numeric-q": {"value": 2}}))

    assert (status, pipeline.reached) == ("401 UNAUTHORIZED", 1)


def test_a_hot_answer_records_the_tokens_use(
    hot, pipeline, attempt, trainee, make, reconfigure, frozen_clock
):
    reconfigure(token_use_write_seconds=0)
    frozen_clock.advance(minutes=10)

    answer(hot, **save_request(trainee, attempt, {"numeric-q": {"value": 1}}))

    assert pipeline.reached == 0
    (token,) = make.all(ApiToken, user_id=trainee.id)
    assert token.last_used_at == frozen_clock.now


def lost(*_args: Any) -> None:
    """A statement on a database that is gone."""
    raise OperationalError("SELECT 1", {}, Exception("the server closed the connection"))


def test_a_database_error_reaches_the_endpoint_which_answers_it(
    hot, pipeline, attempt, trainee, monkeypatch
):
    monkeypatch.setattr(answers, "save_own_answers", lost)

    status, headers, _ = answer(hot, **save_request(trainee, attempt, {"numeric-q": {"value": 1}}))

    assert (status, pipeline.reached) == ("503 SERVICE UNAVAILABLE", 1)
    assert dict(headers)["Content-Type"] == PROBLEM


def test_other_requests_pass_through_untouched(hot, pipeline, trainee):
    status, _, _ = answer(hot, method="GET", path="/api/v1/me", headers=trainee.headers)
    assert (status, pipeline.reached) == ("200 OK", 1)
    status, _, _ = answer(
        hot, method="PUT", path="/api/v1/attempts/0/answers", headers=trainee.headers, json={}
    )
    assert (status, pipeline.reached) == ("404 NOT FOUND", 2)


def test_a_database_error_finding_the_caller_reaches_the_endpoint(
    hot, pipeline, attempt, trainee, monkeypatch
):
    forget_every_remembered_value()
    monkeypatch.setattr(tokens, "holder_of_secret", lost)

    status, headers, _ = answer(hot, **save_request(trainee, attempt, {"numeric-q": {"value": 1}}))

    assert (status, pipeline.reached) == ("503 SERVICE UNAVAILABLE", 1)
    assert dict(headers)["Content-Type"] == PROBLEM


@pytest.mark.committed
@pytest.mark.parametrize(
    "request_of",
    [
        lambda person, attempt_id: save_request(person, attempt_id, {"numeric-q": {"value": 1}}),
        submit_request,
    ],
    ids=["save", "submit"],
)
def test_a_token_the_process_has_not_met_is_read_without_a_transaction(
    app, hot, pipeline, attempt, trainee, request_of
):
    """Regression: the caller was once found before statements committed themselves, which
    began a transaction that the hot function's statements then joined (BEGIN and COMMIT)."""
    if not on_postgresql(app):
        pytest.skip("on SQLite a save runs in one transaction, and a submit is the endpoint's")
    forget_every_remembered_value()
    begun: list[object] = []

    def begin(connection: Connection) -> None:
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            begun.append(connection)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "begin", begin)
    try:
        status, _, _ = answer(hot, **request_of(trainee, attempt))
    finally:
        event.remove(engine, "begin", begin)

    assert (status, pipeline.reached, begun) == ("200 OK", 0, [])
