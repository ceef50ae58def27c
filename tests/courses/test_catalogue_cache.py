"""The catalogue served from the process's cache: no query for a caller it has seen while the
change feed is live (PostgreSQL), and every change to the courses or to the caller seen at once."""

from __future__ import annotations

import pytest

from elearn.accounts.models import Role
from elearn.courses.models.versions import remembered_cards
from elearn.http_cache import Remembered
from elearn.infra import change_feed
from tests.conftest import TEST_DATABASE_URL

ON_POSTGRESQL = (TEST_DATABASE_URL or "").startswith("postgresql")


@pytest.fixture
def trainee(make):
    make.administration("AZ")
    return make.user(Role.TRAINEE, administration="AZ")


def catalogue(client, person):
    return client.get("/api/v1/courses", headers=person.headers)


def test_a_repeated_page_takes_no_query_while_the_feed_is_live(client, courses, trainee, queries):
    courses.build(title="Open")
    first = catalogue(client, trainee)
    queries.reset()
    again = catalogue(client, trainee)
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    # Without a feed (SQLite) the caller and the cards' fingerprint are read again.
    assert queries.count == (0 if ON_POSTGRESQL else 2)


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


def test_a_value_is_kept_until_its_topic_changes(live_feed):
    remembered: Remembered[int] = Remembered("test-topic")
    assert remembered.get("cards", lambda: 1) == 1
    assert remembered.get("cards", lambda: 2) == 1
    change_feed.feed.forget("other-topic")
    assert remembered.get("cards", lambda: 2) == 1
    change_feed.feed.forget("test-topic")
    assert remembered.get("cards", lambda: 2) == 2


def test_a_change_of_one_key_forgets_only_its_values(live_feed):
    remembered: Remembered[tuple[int, str]] = Remembered("test-keyed", key_of=lambda v: v[0])
    remembered.get("token-a", lambda: (1, "first"))
    remembered.get("token-b", lambda: (2, "first"))
    change_feed.feed.forget("test-keyed", frozenset({1}))
    assert remembered.get("token-a", lambda: (1, "again")) == (1, "again")
    assert remembered.get("token-b", lambda: (2, "again")) == (2, "first")


def test_past_its_size_the_least_recently_used_value_goes(live_feed):
    remembered: Remembered[int] = Remembered("test-topic", size=2)
    remembered.get("a", lambda: 1)
    remembered.get("b", lambda: 2)
    remembered.get("a", lambda: 0)  # used again: "b" is now the least recent
    remembered.get("c", lambda: 3)
    assert remembered.get("a", lambda: 0) == 1
    assert remembered.get("c", lambda: 0) == 3
    assert remembered.get("b", lambda: 0) == 0


def test_nothing_is_reused_without_a_live_feed(monkeypatch):
    monkeypatch.setattr(change_feed.feed, "heard", lambda: False)
    remembered: Remembered[int] = Remembered("test-topic")
    assert remembered.get("cards", lambda: 1) == 1
    assert remembered.get("cards", lambda: 2) == 2


def test_a_value_read_across_a_change_is_not_kept(live_feed):
    remembered: Remembered[int] = Remembered("test-topic")

    def read_while_changed() -> int:
        remembered.forget()  # another thread's change, between the read and the store
        return 1

    assert remembered.get("cards", read_while_changed) == 1
    assert remembered.get("cards", lambda: 2) == 2
    assert remembered_cards is not remembered


def test_values_of_many_keys_are_computed_at_once_for_those_not_remembered(live_feed):
    remembered: Remembered[str] = Remembered("test-topic")
    asked: list[set[int]] = []

    def compute(keys):
        asked.append(set(keys))
        return {key: f"value {key}" for key in keys if key != 4}

    assert remembered.get_many({1, 2}, compute) == {1: "value 1", 2: "value 2"}
    assert remembered.get_many({1, 2, 3, 4}, compute) == {k: f"value {k}" for k in (1, 2, 3)}
    assert asked == [{1, 2}, {3, 4}]
    change_feed.feed.forget("test-topic")
    remembered.get_many({1}, compute)
    assert asked[-1] == {1}


def test_a_cached_page_is_kept_apart_per_host_and_query(client, courses, trainee, live_feed):
    for number in range(3):
        courses.build(title=f"Open {number}")
    path = "/api/v1/courses?per_page=2"

    first = client.get(path, headers=trainee.headers)
    other_host = client.get(path, headers=trainee.headers, base_url="http://academy.test")
    other_query = client.get(f"{path}&page=2", headers=trainee.headers)

    assert "<http://localhost/api/v1/courses?" in first.headers["Link"]
    assert "<http://academy.test/api/v1/courses?" in other_host.headers["Link"]
    assert other_query.get_json() != first.get_json()


def _described(response):
    """The response's headers, the time it was sent left out of the Date header."""
    return sorted(
        (name, "" if name == "Date" else value) for name, value in response.headers.items()
    )


@pytest.mark.parametrize("page", ["catalogue", "course", "lesson"])
def test_a_page_from_the_cache_is_the_fresh_page(
    client, courses, trainee, live_feed, queries, page
):
    course = courses.build(title="Open", modules=1, lessons=1)
    path = {
        "catalogue": "/api/v1/courses",
        "course": f"/api/v1/courses/{course.id}",
        "lesson": f"/api/v1/courses/{course.id}/lessons/{course.lesson_ids[0][0]}",
    }[page]
    fresh = client.get(path, headers=trainee.headers)
    queries.reset()

    cached = client.get(path, headers=trainee.headers)

    assert queries.count == 0  # served from the cache
    assert (cached.status_code, cached.get_data()) == (200, fresh.get_data())
    assert _described(cached) == _described(fresh)
    # The lesson page is cached without being conditional: no ETag to hash or to match.
    conditional = page != "lesson"
    assert ("ETag" in cached.headers, "Date" in cached.headers) == (conditional, conditional)


@pytest.mark.parametrize("page", ["catalogue", "course"])
def test_a_page_from_the_cache_answers_its_etag_with_304(client, courses, trainee, page):
    course = courses.build(title="Open")
    path = "/api/v1/courses" if page == "catalogue" else f"/api/v1/courses/{course.id}"
    fresh = client.get(path, headers=trainee.headers)
    cached = client.get(path, headers=trainee.headers)

    unchanged = client.get(
        path, headers={**trainee.headers, "If-None-Match": fresh.headers["ETag"]}
    )

    assert cached.headers["ETag"] == fresh.headers["ETag"]
    assert (unchanged.status_code, unchanged.get_data()) == (304, b"")
    assert unchanged.headers["ETag"] == fresh.headers["ETag"]
    assert unchanged.headers["Vary"] == "Accept-Language, Authorization, Cookie"
