from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from elearn import clock
from elearn.config import Settings
from tests.infra.work import work_app
from tests.worker import Background


@pytest.fixture
def work_client(background: Background) -> FlaskClient:
    """A client of an app with ``POST /test/work``, sending where this test's work runs."""
    return work_app(background.settings).test_client()


@pytest.fixture(autouse=True)
def _unfreeze_clock() -> Iterator[None]:
    yield
    clock.freeze(None)


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def down_app(settings: Settings) -> Flask:
    """The test app's twin whose broker is down (a closed loopback port)."""
    return work_app(replace(settings, broker_url=f"redis://127.0.0.1:{closed_port()}/0"))
