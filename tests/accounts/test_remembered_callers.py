"""A bearer token's holder remembered by the process (change feed live): ``/me`` without a
statement, the token's use still recorded once a minute, an expired token still refused, and
the holder's own changes shown at once. Safe requests run without a transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from elearn import clock
from elearn.accounts.models import ApiToken, Role
from elearn.extensions import db

ME = "/api/v1/me"


@pytest.fixture
def trainee(make):
    return make.user(Role.TRAINEE)


@pytest.fixture
def frozen():
    moment = [clock.now()]
    clock.freeze(moment[0])

    def advance(seconds: float) -> None:
        moment[0] += timedelta(seconds=seconds)
        clock.freeze(moment[0])

    yield advance
    clock.freeze(None)


def test_me_for_a_remembered_token_takes_no_statement(client, trainee, live_feed, queries):
    first = client.get(ME, headers=trainee.headers)
    queries.reset()
    again = client.get(ME, headers=trainee.headers)
    assert again.status_code == 200
    assert again.json == first.json
    assert queries.count == 0


def test_a_remembered_token_records_its_use_once_a_minute(
    client, trainee, make, live_feed, queries, frozen
):
    client.get(ME, headers=trainee.headers)
    (token,) = make.all(ApiToken, user_id=trainee.id)
    first_use = token.last_used_at
    assert first_use is not None

    frozen(30)
    queries.reset()
    assert client.get(ME, headers=trainee.headers).status_code == 200
    assert queries.count == 0

    frozen(31)
    queries.reset()
    assert client.get(ME, headers=trainee.headers).status_code == 200
    assert [statement.split()[0] for statement in queries.statements] == ["UPDATE"]
    (token,) = make.all(ApiToken, user_id=trainee.id)
    assert token.last_used_at == first_use + timedelta(seconds=61)


def test_a_remembered_token_that_expires_is_refused(client, trainee, live_feed, frozen):
    soon = (clock.now() + timedelta(minutes=5)).isoformat()
    created = client.post(
        "/api/v1/me/tokens", json={"name": "brief", "expires_at": soon}, headers=trainee.headers
    )
    bearer = {"Authorization": f"Bearer {created.json['token']}"}
    assert client.get(ME, headers=bearer).status_code == 200
    assert client.get(ME, headers=bearer).status_code == 200

    frozen(6 * 60)
    refused = client.get(ME, headers=bearer)
    assert refused.status_code == 401
    assert refused.json["detail"] == "The token is invalid, expired or revoked."


def test_ones_own_profile_change_shows_at_once(client, trainee, live_feed):
    assert client.get(ME, headers=trainee.headers).json["full_name"] != "Renamed Officer"
    changed = client.patch(ME, json={"full_name": "Renamed Officer"}, headers=trainee.headers)
    assert changed.status_code == 200, changed.json
    assert client.get(ME, headers=trainee.headers).json["full_name"] == "Renamed Officer"


def test_another_holders_change_keeps_this_one_remembered(
    client, trainee, make, live_feed, queries
):
    other = make.user(Role.TRAINEE)
    client.get(ME, headers=trainee.headers)
    changed = client.patch(ME, json={"full_name": "Someone Else"}, headers=other.headers)
    assert changed.status_code == 200, changed.json
    queries.reset()
    assert client.get(ME, headers=trainee.headers).status_code == 200
    assert queries.count == 0


@pytest.mark.committed
def test_safe_requests_run_each_statement_on_its_own(client, app, make):
    trainee = make.user(Role.TRAINEE)
    isolation: list[str | None] = []

    def note(connection, *_args):
        isolation.append(connection.get_execution_options().get("isolation_level"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(ME, headers=trainee.headers).status_code == 200
        read = list(isolation)
        isolation.clear()
        changed = client.patch(ME, json={"full_name": "New Name"}, headers=trainee.headers)
        assert changed.status_code == 200, changed.json
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert read
    assert set(read) == {"AUTOCOMMIT"}
    assert isolation
    assert "AUTOCOMMIT" not in isolation
