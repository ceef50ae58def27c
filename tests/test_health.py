from __future__ import annotations

import socket

import pytest


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    return f"postgresql+psycopg://elearn@127.0.0.1:{port}/elearn?connect_timeout=2"


def unwritable_sqlite_url() -> str:
    return "sqlite:////nonexistent-elearn-dir/nowhere/elearn.db"


def test_live_answers_without_authentication(client):
    response = client.get("/health/live")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_ready_reports_each_check(client):
    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "storage": "ok"}}


@pytest.mark.parametrize("database_url", [closed_port_url, unwritable_sqlite_url])
def test_ready_is_503_naming_the_unreachable_database(other_app, database_url):
    app = other_app(database_url=database_url())

    ready = app.test_client().get("/health/ready")
    live = app.test_client().get("/health/live")

    assert ready.status_code == 503
    assert ready.json["status"] == "failing"
    assert ready.json["checks"]["database"] == "failing"
    assert "127.0.0.1" not in ready.get_data(as_text=True)
    assert live.status_code == 200
