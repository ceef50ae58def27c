"""The catalogue served from the process's cache: no query for a caller seen a moment ago, and
every change made in this process to the courses or to the caller seen at once."""

from __future__ import annotations

import pytest

from elearn.accounts.models import Role
from elearn.courses.models.versions import recent_cards
from elearn.http_cache import Recent


@pytest.fixture
def trainee(make):
    make.administration("AZ")
    return make.user(Role.TRAINEE, administration="AZ")


def catalogue(client, person):
    return client.get("/api/v1/courses", headers=person.headers)


def test_a_repeated_page_takes_no_query(client, courses, trainee, queries):
    courses.build(title="Open")
    first = catalogue(client, trainee)
    queries.reset()
    again = catalogue(client, trainee)
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert queries.count == 0


def test_a_course_changed_in_this_process_shows_at_once(client, courses, trainee, make):
    admin = make.user(Role.ADMIN, administration=None)
    course = courses.build(title="Open")
    assert [c["title"] for c in catalogue(client, trainee).json] == ["Open"]
    response = client.patch(
        f"/api/v1/courses/{course.id}",
        json={"translations": {"en": {"title": "Renamed"}}},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.json
    assert [c["title"] for c in catalogue(client, trainee).json] == ["Renamed"]


def test_a_revoked_token_is_refused_at_once(client, courses, trainee):
    courses.build(title="Open")
    assert catalogue(client, trainee).status_code == 200
    (token,) = client.get("/api/v1/me/tokens", headers=trainee.headers).json
    assert (
        client.delete(f"/api/v1/me/tokens/{token['id']}", headers=trainee.headers).status_code
        == 204
    )
    refused = catalogue(client, trainee)
    assert refused.status_code == 401
    assert refused.json["detail"] == "The token is invalid, expired or revoked."


def test_a_deactivated_trainee_is_refused_at_once(client, courses, trainee, make):
    admin = make.user(Role.ADMIN, administration=None)
    courses.build(title="Open")
    assert catalogue(client, trainee).status_code == 200
    response = client.patch(
        f"/api/v1/users/{trainee.id}", json={"active": False}, headers=admin.headers
    )
    assert response.status_code == 200, response.json
    assert catalogue(client, trainee).status_code == 401


def test_new_roles_widen_the_catalogue_at_once(client, courses, trainee, make):
    admin = make.user(Role.ADMIN, administration=None)
    courses.build(title="Open")
    courses.build(title="Draft", status="draft")
    assert [c["title"] for c in catalogue(client, trainee).json] == ["Open"]
    response = client.patch(
        f"/api/v1/users/{trainee.id}", json={"roles": ["trainee", "admin"]}, headers=admin.headers
    )
    assert response.status_code == 200, response.json
    assert sorted(c["title"] for c in catalogue(client, trainee).json) == ["Draft", "Open"]


def test_what_another_process_changed_shows_within_a_second(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("elearn.http_cache.time.monotonic", lambda: now[0])
    recent: Recent[int] = Recent(1.0)
    assert recent.get("cards", lambda: 1) == 1
    now[0] += 0.9
    assert recent.get("cards", lambda: 2) == 1
    now[0] += 0.2
    assert recent.get("cards", lambda: 2) == 2


def test_a_value_read_across_a_change_is_not_kept():
    recent: Recent[int] = Recent(60.0)

    def read_while_changed() -> int:
        recent.forget()  # another thread's change, between the read and the store
        return 1

    assert recent.get("cards", read_while_changed) == 1
    assert recent.get("cards", lambda: 2) == 2
    assert recent_cards is not recent
