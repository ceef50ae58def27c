"""/health/ready checks the broker whenever tasks do not run eagerly."""

from __future__ import annotations

import pytest

from tests.infra.work import work_app


def test_eager_mode_has_no_broker_to_check(client):
    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert "broker" not in response.json["checks"]


def test_an_unreachable_broker_makes_the_api_unready_and_is_named(down_app):
    response = down_app.test_client().get("/health/ready")

    assert response.status_code == 503
    assert response.json["status"] == "failing"
    assert response.json["checks"]["broker"] == "failing"
    assert response.json["checks"]["database"] == "ok"


@pytest.mark.worker
def test_a_reachable_broker_is_checked_and_ready(background):
    response = work_app(background.settings).test_client().get("/health/ready")

    checks = response.json["checks"]
    assert response.status_code == 200
    assert checks.get("broker") == ("ok" if background.real else None)
    assert set(checks.values()) == {"ok"}
