from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from elearn import clock
from elearn.accounts import throttle
from elearn.accounts.models import ApiToken, Role, User
from elearn.audit.models import AuditEvent


def login(client, email, password):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def test_login_sets_a_hardened_session_cookie_and_me_answers(client, make):
    person = make.user(Role.TRAINEE)

    response = login(client, person.email.upper() + "  ", person.password)

    assert response.status_code == 200
    assert response.json["email"] == person.email
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json["id"] == person.id
    assert "password_hash" not in me.json


def test_unknown_email_and_wrong_password_get_the_same_answer(client, make):
    person = make.user()

    wrong_password = login(client, person.email, "not the password")
    unknown_email = login(client, "nobody@customs.test", "not the password")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json == unknown_email.json
    assert wrong_password.mimetype == "application/problem+json"


def test_inactive_user_cannot_log_in(client, make):
    person = make.user(active=False)

    assert login(client, person.email, person.password).status_code == 401
    assert client.get("/api/v1/me", headers=person.headers).status_code == 401


@pytest.fixture
def pauses(monkeypatch):
    """The pauses failed logins impose, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(throttle, "sleep", recorded.append)
    return recorded


def test_failed_logins_slow_the_account_down_without_refusing_the_owner(client, make, pauses):
    person = make.user()
    guesses = [login(client, person.email, "wrong password!").status_code for _ in range(9)]

    owner = login(client, person.email, person.password)

    assert guesses == [401] * 9
    assert pauses == [0.25, 0.5, 1.0, 2.0, 2.0]
    assert owner.status_code == 200
    assert "Retry-After" not in owner.headers
    assert login(client, make.user().email, "correct horse battery staple").status_code == 200
    assert len(pauses) == 5  # another account's attempts are not slowed


def test_login_is_rate_limited_per_address(client, make):
    person = make.user()
    statuses = [
        login(client, f"unknown{n}@customs.test", "whatever").status_code for n in range(31)
    ]

    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429
    assert login(client, person.email, person.password).status_code == 429


def test_logout_ends_the_session(client, make):
    person = make.user()
    login(client, person.email, person.password)

    assert client.post("/api/v1/auth/logout", json={}).status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_cookie_session_refuses_unsafe_requests_without_json(client, make):
    person = make.user()
    login(client, person.email, person.password)

    forged = client.post("/api/v1/auth/logout", data="x=1", content_type="text/plain")
    bodyless = client.post("/api/v1/auth/logout")

    assert forged.status_code == bodyless.status_code == 415
    assert forged.mimetype == "application/problem+json"
    assert client.get("/api/v1/me").status_code == 200


def test_password_change_ends_other_sessions(client, make, app):
    person = make.user()
    other_browser = app.test_client()
    login(client, person.email, person.password)
    login(other_browser, person.email, person.password)

    changed = client.patch(
        "/api/v1/me",
        json={"current_password": person.password, "new_password": "a brand new secret"},
    )

    assert changed.status_code == 200
    assert other_browser.get("/api/v1/me").status_code == 401
    assert login(client, person.email, "a brand new secret").status_code == 200


def test_password_change_needs_the_current_password(client, make):
    person = make.user()

    response = client.patch(
        "/api/v1/me",
        json={"current_password": "guess guess guess", "new_password": "a brand new secret"},
        headers=person.headers,
    )

    assert response.status_code == 422
    assert "current_password" in response.json["errors"]
    assert login(client, person.email, person.password).status_code == 200


def test_token_lifecycle_secret_shown_once_and_hashed(client, make):
    person = make.user()

    created = client.post("/api/v1/me/tokens", json={"name": "script"}, headers=person.headers)

    assert created.status_code == 201
    secret = created.json["token"]
    assert secret.startswith("elp_")
    stored = make.get(ApiToken, created.json["id"])
    assert secret not in (stored.token_hash, stored.prefix)
    listed = client.get("/api/v1/me/tokens", headers=person.headers)
    assert secret not in listed.get_data(as_text=True)
    assert {token["name"] for token in listed.json} == {"tests", "script"}

    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    assert make.get(ApiToken, created.json["id"]).last_used_at is not None

    revoked = client.delete(f"/api/v1/me/tokens/{created.json['id']}", headers=person.headers)
    assert revoked.status_code == 204
    refused = client.get("/api/v1/me", headers=bearer)
    assert refused.status_code == 401
    assert refused.json["detail"] == "The token is invalid, expired or revoked."
    actions = {event.action for event in make.all(AuditEvent, actor_id=person.id)}
    assert {"token.created", "token.revoked"} <= actions


def test_expired_token_is_refused(client, make):
    person = make.user()
    soon = (clock.now() + timedelta(minutes=5)).isoformat()
    created = client.post(
        "/api/v1/me/tokens", json={"name": "brief", "expires_at": soon}, headers=person.headers
    )
    bearer = {"Authorization": f"Bearer {created.json['token']}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200

    clock.freeze(clock.now() + timedelta(minutes=6))
    try:
        assert client.get("/api/v1/me", headers=bearer).status_code == 401
    finally:
        clock.freeze(None)


def test_token_with_past_expiry_is_refused_and_nothing_is_stored(client, make):
    person = make.user()
    before = make.count(ApiToken)

    response = client.post(
        "/api/v1/me/tokens",
        json={"name": "late", "expires_at": "2000-01-01T00:00:00+00:00"},
        headers=person.headers,
    )

    assert response.status_code == 422
    assert "expires_at" in response.json["errors"]
    assert make.count(ApiToken) == before


def test_another_users_token_cannot_be_revoked(client, make):
    owner, other = make.user(), make.user()
    created = client.post("/api/v1/me/tokens", json={"name": "mine"}, headers=owner.headers)

    response = client.delete(f"/api/v1/me/tokens/{created.json['id']}", headers=other.headers)

    assert response.status_code == 404
    assert make.get(ApiToken, created.json["id"]).revoked_at is None


def test_profile_edit_changes_name_and_language(client, make):
    person = make.user()

    response = client.patch(
        "/api/v1/me", json={"full_name": "Aliyev Rashad", "language": "ru"}, headers=person.headers
    )

    assert response.status_code == 200
    stored = make.get(User, person.id)
    assert (stored.full_name, stored.language) == ("Aliyev Rashad", "ru")


def test_token_creation_is_rate_limited_per_user_not_per_address(client, make):
    busy, colleague = make.user(), make.user()
    for n in range(10):
        created = client.post("/api/v1/me/tokens", json={"name": f"t{n}"}, headers=busy.headers)
        assert created.status_code == 201

    blocked = client.post("/api/v1/me/tokens", json={"name": "one more"}, headers=busy.headers)
    colleagues = client.post("/api/v1/me/tokens", json={"name": "mine"}, headers=colleague.headers)

    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert colleagues.status_code == 201


def login_from(client, address, attempt):
    return client.post(
        "/api/v1/auth/login",
        json={"email": f"nobody{attempt}@customs.test", "password": "whatever"},
        headers={"X-Forwarded-For": address},
    )


def test_behind_a_trusted_proxy_the_address_limit_applies_per_forwarded_client(other_app):
    client = other_app(trusted_proxy_hops=1).test_client()
    for attempt in range(30):
        login_from(client, "203.0.113.7", attempt)

    assert login_from(client, "203.0.113.7", 30).status_code == 429
    assert login_from(client, "198.51.100.9", 31).status_code == 401


def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(client):
    for attempt in range(30):
        login_from(client, "203.0.113.7", attempt)

    assert login_from(client, "198.51.100.9", 30).status_code == 429


def test_a_cookie_replayed_after_logout_is_refused(client, app, make):
    person = make.user()
    login(client, person.email, person.password)
    cookie = client.get_cookie("elearn_session").value

    assert client.post("/api/v1/auth/logout", json={}).status_code == 204

    replay = app.test_client()
    replay.set_cookie("elearn_session", cookie)
    assert replay.get("/api/v1/me").status_code == 401


def test_logout_ends_the_sessions_on_every_device(app, make):
    person = make.user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, person.email, person.password)
    login(phone, person.email, person.password)

    laptop.post("/api/v1/auth/logout", json={})

    assert phone.get("/api/v1/me").status_code == 401
    assert phone.get("/api/v1/me", headers=person.headers).status_code == 200


def test_a_password_change_ends_the_other_sessions(client, app, make):
    person = make.user()
    other = app.test_client()
    login(other, person.email, person.password)

    changed = client.patch(
        "/api/v1/me",
        json={"current_password": person.password, "new_password": "a brand new password"},
        headers=person.headers,
    )

    assert changed.status_code == 200
    assert other.get("/api/v1/me").status_code == 401


def test_deactivation_ends_the_session_for_good(client, app, make):
    admin = make.user(Role.ADMIN, administration=None)
    person = make.user()
    session = app.test_client()
    login(session, person.email, person.password)

    for active in (False, True):
        response = client.patch(
            f"/api/v1/users/{person.id}", json={"active": active}, headers=admin.headers
        )
        assert response.status_code == 200

    assert session.get("/api/v1/me").status_code == 401


START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_an_idle_session_ends(client, make, frozen_clock):
    person = make.user()
    frozen_clock(START)
    login(client, person.email, person.password)

    frozen_clock(START + timedelta(minutes=29))
    assert client.get("/api/v1/me").status_code == 200
    frozen_clock(START + timedelta(minutes=58))
    assert client.get("/api/v1/me").status_code == 200
    frozen_clock(START + timedelta(minutes=89))
    assert client.get("/api/v1/me").status_code == 401


def test_a_busy_session_ends_after_its_lifetime(client, make, frozen_clock):
    person = make.user()
    frozen_clock(START)
    login(client, person.email, person.password)

    for step in range(1, 12 * 3 + 1):
        frozen_clock(START + timedelta(minutes=20 * step))
        assert client.get("/api/v1/me").status_code == 200
    frozen_clock(START + timedelta(hours=12, minutes=1))

    assert client.get("/api/v1/me").status_code == 401


def test_a_stranger_guessing_from_elsewhere_cannot_slow_the_owner_down(app, make, pauses):
    person = make.user()
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.7"

    guesses = [login(stranger, person.email, "wrong password!").status_code for _ in range(7)]
    slowed = len(pauses)

    assert guesses == [401] * 7
    assert login(owner, person.email, person.password).status_code == 200
    assert (slowed, len(pauses)) == (2, 2)
