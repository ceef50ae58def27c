from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from elearn.accounts.models import Role
from tests.http import assert_problem, links

URL = "/api/v1/audit-events"
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def history(client, make, frozen_clock):
    """An admin creates two trainees on day one and deactivates one on day two."""
    frozen_clock(START)
    admin = make.user(Role.ADMIN, administration=None)
    make.administration("AZ")
    created = [
        client.post(
            "/api/v1/users",
            json={"email": f"t{n}@customs.az", "full_name": f"T {n}", "administration": "AZ"},
            headers=admin.headers,
        ).json["id"]
        for n in range(2)
    ]
    frozen_clock(START + timedelta(days=1))
    client.patch(f"/api/v1/users/{created[0]}", json={"active": False}, headers=admin.headers)
    return {"admin": admin, "created": created}


def actions(response):
    return [(event["action"], event["object_id"]) for event in response.json]


def test_admin_lists_the_trail_newest_first(client, history):
    first, second = (str(user_id) for user_id in history["created"])

    response = client.get(URL, headers=history["admin"].headers)

    assert response.status_code == 200
    assert actions(response)[:3] == [
        ("user.deactivated", first),
        ("user.created", second),
        ("user.created", first),
    ]
    assert [action for action, _ in actions(response)[3:]] == ["token.created"]
    event = response.json[0]
    assert event["actor_id"] == history["admin"].id
    assert event["object_type"] == "user"
    assert event["created_at"] == "2025-03-02T09:00:00+00:00"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=user.created", ["user.created", "user.created"]),
        ("action=user.deactivated&object_type=user", ["user.deactivated"]),
        ("since=2025-03-02T00:00:00%2B00:00", ["user.deactivated"]),
        ("action=token.created", ["token.created"]),
        ("action=user.password_set", []),
    ],
)
def test_admin_filters_the_trail(client, history, query, expected):
    response = client.get(f"{URL}?{query}", headers=history["admin"].headers)

    assert [action for action, _ in actions(response)] == expected


def test_filters_by_actor_and_object(client, make, history):
    first = history["created"][0]

    by_object = client.get(f"{URL}?object_id={first}", headers=history["admin"].headers)
    by_actor = client.get(
        f"{URL}?actor_id={history['admin'].id}&action=user.created",
        headers=history["admin"].headers,
    )
    nobody = client.get(f"{URL}?actor_id={first}", headers=history["admin"].headers)

    assert actions(by_object) == [("user.deactivated", str(first)), ("user.created", str(first))]
    assert len(by_actor.json) == 2
    assert nobody.json == []


def test_trail_is_paginated(client, history):
    response = client.get(f"{URL}?action=user.created&per_page=1", headers=history["admin"].headers)

    assert response.headers["X-Total-Count"] == "2"
    assert len(response.json) == 1
    assert set(links(response)) == {"first", "next", "last"}


def test_bad_filters_are_refused(client, history):
    headers = history["admin"].headers
    assert_problem(client.get(f"{URL}?since=yesterday", headers=headers), 422, fields=["since"])
    assert_problem(client.get(f"{URL}?actor_id=me", headers=headers), 422, fields=["actor_id"])
    assert_problem(client.get(f"{URL}?action={'a' * 61}", headers=headers), 422, fields=["action"])


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.TRAINER, Role.CONTACT_POINT])
def test_only_admins_read_the_trail(client, make, role):
    person = make.user(role, administration="AZ")

    assert_problem(client.get(URL, headers=person.headers), 403)
