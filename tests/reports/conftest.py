"""The reports tests arrange courses and enrolments with the learning tests' helper."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.enrolments.conftest import Learning
from tests.enrolments.conftest import frozen as frozen_fixture


@pytest.fixture
def learning(app: Flask, client: FlaskClient) -> Learning:
    return Learning(app, client)


frozen = frozen_fixture
