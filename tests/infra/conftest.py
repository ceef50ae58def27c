"""Fixtures of the infrastructure tests: the work app, and a clock that always runs again.

The storage fixtures (``seaweedfs``, ``s3_options``, ``backend``) are in tests/conftest.py,
shared with the media tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from elearn import clock
from elearn.config import Settings
from tests.infra.work import work_app
from tests.worker import Background, closed_port


@pytest.fixture
def work_client(background: Background) -> FlaskClient:
    """A client of an app with ``POST /test/work``, sending where this test's work runs."""
    return work_app(background.settings).test_client()


@pytest.fixture(autouse=True)
def _unfreeze_clock() -> Iterator[None]:
    yield
    clock.freeze(None)


@pytest.fixture
def down_app(settings: Settings) -> Flask:
    """The test app's twin whose broker is down (a closed loopback port)."""
    return work_app(replace(settings, broker_url=f"redis://127.0.0.1:{closed_port()}/0"))
