"""The app checks rate limits in the views that declare them only (see create_app): no limit
may need the extension's check before every request, which is not registered."""

from __future__ import annotations

from elearn.extensions import limiter


def test_every_limit_decorates_a_view(app):
    manager = limiter.limit_manager
    assert manager.default_limits == []
    assert manager.application_limits == []
    assert not manager._blueprint_limits
    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])


def test_a_decorated_limit_still_applies(client):
    statuses = [
        client.post(
            "/api/v1/auth/password-reset", json={"email": f"nobody{n}@customs.test"}
        ).status_code
        for n in range(40)
    ]
    assert statuses[0] == 202
    assert statuses[-1] == 429


def test_a_limited_view_tells_its_limit_and_an_unlimited_one_says_nothing(client):
    limited = client.post("/api/v1/auth/password-reset", json={"email": "nobody@customs.test"})
    unlimited = client.get("/health/live")

    assert limited.headers["X-RateLimit-Limit"].isdigit()
    assert limited.headers["X-RateLimit-Remaining"].isdigit()
    assert "X-RateLimit-Reset" in limited.headers
    assert not [name for name, _ in unlimited.headers.items() if name.startswith("X-RateLimit")]
