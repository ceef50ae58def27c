"""Rate limits never fail a request: with their Redis down or hung they are counted in memory."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from elearn.extensions import limiter
from tests import mailserver
from tests.worker import closed_port

LIMITER_STATE = ("_storage", "_limiter", "_storage_options", "_storage_dead")


@pytest.fixture
def limited_app(
    other_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], Flask]:
    """An app whose rate limits live at this Redis URL; the shared limiter is restored after."""
    for name in LIMITER_STATE:
        monkeypatch.setattr(limiter, name, getattr(limiter, name))
    monkeypatch.setattr(limiter, "_storage_options", dict(limiter._storage_options))
    return lambda url: other_app(ratelimit_storage_url=url)


@pytest.fixture
def hung_redis() -> Iterator[str]:
    listener = mailserver.silent_listener()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    listener.close()


def login(client, n):
    return client.post(
        "/api/v1/auth/login", json={"email": f"nobody{n}@customs.test", "password": "guess"}
    )


@pytest.mark.parametrize("where", ["down", "hung"])
def test_login_and_verification_work_and_stay_limited_without_redis(limited_app, hung_redis, where):
    url = hung_redis if where == "hung" else f"redis://127.0.0.1:{closed_port()}/0"
    client = limited_app(url).test_client()

    started = time.monotonic()
    answers = [login(client, n).status_code for n in range(31)]
    took = time.monotonic() - started
    verification = client.get("/verify/AAAA-BBBB-CCCC")

    assert answers == [401] * 30 + [429]  # the per-address limit holds, in memory
    assert verification.status_code == 404
    assert took < 10  # one short storage timeout, not one per request
