"""Headers that keep callers safe: docs that cannot be framed or injected into, personal JSON
that no cache keeps, and Retry-After only where it means something."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from elearn.accounts.models import Role


def test_the_docs_page_has_a_policy_that_allows_only_its_own_scripts(client):
    response = client.get("/api/docs")

    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy
    assert "'unsafe-eval'" not in policy
    inline = re.findall(r"<script>(.*?)</script>", response.get_data(as_text=True), re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/users", "/api/v1/me/tokens"])
def test_personal_json_is_never_stored_by_a_cache(client, make, path):
    admin = make.user(Role.ADMIN, administration=None)

    response = client.get(path, headers=admin.headers)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_report_is_never_stored_by_a_cache(client, make):
    contact_point = make.user(Role.CONTACT_POINT, administration="AZ")

    response = client.get("/api/v1/reports/administrations/AZ", headers=contact_point.headers)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_login_answer_is_never_stored(client, make):
    person = make.user()

    response = client.post(
        "/api/v1/auth/login", json={"email": person.email, "password": person.password}
    )

    assert response.headers["Cache-Control"] == "no-store"


def test_public_answers_keep_their_own_cache_policy(client):
    assert "no-store" not in client.get("/.well-known/jwks.json").headers["Cache-Control"]
    assert client.get("/verify/AAAA-BBBB-CCCC").headers["Cache-Control"] == "no-cache"


def test_retry_after_only_on_429(client):
    def login(n):
        return client.post(
            "/api/v1/auth/login", json={"email": f"nobody{n}@customs.test", "password": "guess"}
        )

    answers = [login(n) for n in range(30)]
    blocked = login(30)

    assert [answer.status_code for answer in answers] == [401] * 30
    assert all("Retry-After" not in answer.headers for answer in answers)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0


def test_answers_without_a_cookie_session_vary_on_cookie_and_set_none(client, make):
    person = make.user()

    answers = [
        client.get("/health/live"),
        client.get("/api/v1/me", headers=person.headers),
        client.get("/api/v1/no-such-thing", headers=person.headers),
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 404]
    assert all(answer.headers.getlist("Vary") == ["Cookie"] for answer in answers)
    assert all("Set-Cookie" not in answer.headers for answer in answers)
    assert "Cache-Control" not in answers[0].headers
    assert answers[1].headers["Cache-Control"] == "no-store"
