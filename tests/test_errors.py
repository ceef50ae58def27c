"""Every failure answers RFC 9457 problem+json, with no internals."""

from __future__ import annotations

import logging

import pytest

from elearn.accounts.models import Administration, Role, User
from elearn.extensions import db
from tests.http import assert_problem

ADMINISTRATIONS = "/api/v1/administrations"


@pytest.fixture
def admin(make):
    return make.user(Role.ADMIN, administration=None)


def test_problem_members_and_a_stable_type_per_status(client):
    body = assert_problem(client.get("/api/v1/me"), 401)

    assert body["type"] == "https://elearn.dev/problems/unauthorized"
    assert body["title"] == "Unauthorized"
    assert body["detail"] == "Authentication required."
    assert "errors" not in body


def test_400_malformed_json_says_so_and_changes_nothing(client, make, admin):
    before = make.count(Administration)

    response = client.post(
        ADMINISTRATIONS,
        data=b'{"code": "XK",',
        content_type="application/json",
        headers=admin.headers,
    )

    body = assert_problem(response, 400)
    assert body["detail"] == "Invalid JSON body."
    assert make.count(Administration) == before


def test_400_body_that_is_not_utf8(client, admin):
    response = client.post(
        ADMINISTRATIONS,
        data=b'{"code": "\xff\xfe"}',
        content_type="application/json",
        headers=admin.headers,
    )

    assert_problem(response, 400)


def test_401_names_the_scheme_it_accepts(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer elp_not-a-token"})

    body = assert_problem(response, 401)
    assert body["detail"] == "The token is invalid, expired or revoked."
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="elearn"'


def test_403(client, make):
    trainee = make.user(Role.TRAINEE)

    body = assert_problem(client.get("/api/v1/audit-events", headers=trainee.headers), 403)

    assert body["type"] == "https://elearn.dev/problems/forbidden"


@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-thing", "/nowhere", "/api/v1/users/not-a-number"]
)
def test_404_for_unknown_routes(client, path):
    assert_problem(client.get(path), 404)


def test_404_for_a_missing_object(client, admin):
    body = assert_problem(client.get(f"{ADMINISTRATIONS}/ZZ", headers=admin.headers), 404)

    assert "ZZ" in body["detail"]


def test_405_lists_the_allowed_methods(client, admin):
    response = client.delete("/api/v1/me", headers=admin.headers)

    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PATCH"}


def test_409(client, make, admin):
    make.administration("AZ")

    response = client.post(
        ADMINISTRATIONS,
        json={"code": "AZ", "names": {"en": "Again"}, "region": "Europe"},
        headers=admin.headers,
    )

    assert_problem(response, 409)


def test_413_body_over_the_configured_limit_changes_nothing(client, make, settings, admin):
    before = make.count(User)
    padding = "x" * settings.max_request_bytes

    response = client.post(
        "/api/v1/users",
        json={"email": "big@customs.az", "full_name": "Big", "note": padding},
        headers=admin.headers,
    )

    assert_problem(response, 413)
    assert make.count(User) == before


def test_415_when_the_body_is_not_json(client, make, admin):
    before = make.count(User)

    response = client.post(
        "/api/v1/users",
        data="email=x@customs.az",
        content_type="application/x-www-form-urlencoded",
        headers=admin.headers,
    )

    body = assert_problem(response, 415)
    assert "application/json" in body["detail"]
    assert make.count(User) == before


def test_422_names_each_bad_field(client, admin):
    response = client.post(
        ADMINISTRATIONS, json={"code": "X", "names": {}, "colour": "blue"}, headers=admin.headers
    )

    body = assert_problem(response, 422, fields=["code", "names", "region", "colour"])
    assert body["detail"] == "The request has invalid fields."
    assert all(isinstance(messages, list | dict) for messages in body["errors"].values())


def test_422_for_bad_query_arguments(client, admin):
    assert_problem(
        client.get("/api/v1/users?page=zero", headers=admin.headers), 422, fields=["page"]
    )


def test_429_says_when_to_retry(client):
    for n in range(30):
        client.post("/api/v1/auth/login", json={"email": f"x{n}@customs.test", "password": "y"})

    response = client.post("/api/v1/auth/login", json={"email": "x@customs.test", "password": "y"})

    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0


def test_500_reveals_nothing_logs_everything_and_changes_nothing(other_app, make, caplog):
    app = other_app()

    @app.post("/api/v1/test-only/explode")
    def explode() -> None:
        db.session.add(Administration(code="QQ", names={"en": "Doomed"}, region="Europe"))
        db.session.flush()
        raise RuntimeError("connection to db.internal:5432 failed for user s3cr3t")

    with caplog.at_level(logging.ERROR, logger="elearn.errors"):
        response = app.test_client().post("/api/v1/test-only/explode", json={})

    body = assert_problem(response, 500)
    text = response.get_data(as_text=True)
    assert body["detail"] == "An unexpected error occurred; it has been logged."
    for leak in ("s3cr3t", "db.internal", "RuntimeError", "Traceback", "explode"):
        assert leak not in text
    assert any(record.exc_info and "s3cr3t" in str(record.exc_info[1]) for record in caplog.records)
    assert make.count(Administration, code="QQ") == 0
