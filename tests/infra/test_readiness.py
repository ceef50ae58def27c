"""/health/ready reports the broker whenever tasks do not run eagerly, without requiring it;
every check answers within about two seconds, all at once, however hung their dependency."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from tests import mailserver
from tests.infra.work import work_app


def test_eager_mode_has_no_broker_to_check(client):
    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert "broker" not in response.json["checks"]


def test_an_unreachable_broker_is_named_but_keeps_the_api_ready(down_app):
    response = down_app.test_client().get("/health/ready")

    assert response.status_code == 200
    assert response.json["status"] == "degraded"
    assert response.json["checks"]["broker"] == "failing"
    assert response.json["checks"]["database"] == "ok"


def test_hung_storage_and_broker_cost_one_probe_timeout_and_never_block_liveness(settings):
    hung = mailserver.silent_listener()
    address = f"127.0.0.1:{hung.getsockname()[1]}"
    app = work_app(
        replace(
            settings,
            broker_url=f"redis://{address}/0",
            storage_url="s3://elearn",
            s3_endpoint_url=f"http://{address}",
            s3_access_key_id="probe",
            s3_secret_access_key="probe-secret",
        )
    )
    client = app.test_client()
    try:
        started = time.monotonic()
        response = client.get("/health/ready")
        took = time.monotonic() - started
        live = client.get("/health/live")
    finally:
        hung.close()

    assert response.status_code == 503
    assert response.json["checks"] == {"database": "ok", "storage": "failing", "broker": "failing"}
    assert took < 4  # both checks at once, each given up after about 2 s
    assert live.status_code == 200


@pytest.mark.worker
def test_a_reachable_broker_is_checked_and_ready(background):
    response = work_app(background.settings).test_client().get("/health/ready")

    checks = response.json["checks"]
    assert response.status_code == 200
    assert checks.get("broker") == ("ok" if background.real else None)
    assert set(checks.values()) == {"ok"}
