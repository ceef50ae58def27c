"""A bearer token's last use: noted by the request, written by the process later and together
(``ELEARN_TOKEN_USE_WRITE_SECONDS``), in one statement apart from any request's transaction,
never waiting for a token row another transaction holds."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from elearn import clock
from elearn.accounts import tokens
from elearn.accounts.models import ApiToken, Role
from elearn.extensions import db
from tests.conftest import TEST_DATABASE_URL

ME = "/api/v1/me"


def last_use(make, person) -> object:
    (token,) = make.all(ApiToken, user_id=person.id)
    return token.last_used_at


def test_uses_wait_then_are_written_together_after_a_request(
    client, make, reconfigure, frozen_clock, queries
):
    reconfigure(token_use_write_seconds=10)
    first, second = make.user(Role.TRAINEE), make.user(Role.TRAINEE)
    start = clock.now()
    frozen_clock(start)

    queries.reset()
    assert client.get(ME, headers=first.headers).status_code == 200
    frozen_clock(start + timedelta(seconds=4))
    assert client.get(ME, headers=second.headers).status_code == 200
    assert not [sql for sql in queries.statements if sql.startswith("UPDATE")]
    assert (last_use(make, first), last_use(make, second)) == (None, None)

    frozen_clock(start + timedelta(seconds=10))
    queries.reset()
    assert client.get(ME, headers=first.headers).status_code == 200
    assert [sql.split()[0] for sql in queries.statements if not sql.startswith("SELECT")] == [
        "UPDATE"
    ]
    assert last_use(make, first) == start
    assert last_use(make, second) == start + timedelta(seconds=4)


def test_a_refused_request_still_has_its_token_use_written(client, make):
    trainee = make.user(Role.TRAINEE)
    refused = client.post("/api/v1/me/tokens", json={"name": ""}, headers=trainee.headers)
    assert refused.status_code == 422
    assert last_use(make, trainee) is not None


@pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"), reason="needs PostgreSQL row locks"
)
@pytest.mark.committed
def test_a_token_row_held_elsewhere_keeps_its_time_and_the_request_does_not_wait(client, app, make):
    trainee = make.user(Role.TRAINEE)
    with app.app_context(), db.engine.connect() as holder:
        with holder.begin():
            holder.execute(
                select(ApiToken.id).where(ApiToken.user_id == trainee.id).with_for_update()
            )
            answered: list[int] = []
            request = threading.Thread(
                target=lambda: answered.append(client.get(ME, headers=trainee.headers).status_code)
            )
            request.start()
            request.join(timeout=10)
            assert answered == [200], "the request waited for the token row"
        request.join()
        assert last_use(make, trainee) is None


def test_uses_another_thread_took_first_make_no_statement(app, queries, monkeypatch):
    monkeypatch.setattr(tokens._noted_uses, "oldest", lambda: clock.now() - timedelta(hours=1))
    monkeypatch.setattr(tokens._noted_uses, "take", dict)

    with app.app_context():
        queries.reset()
        tokens.write_noted_uses(timedelta(seconds=10))

    assert queries.count == 0
