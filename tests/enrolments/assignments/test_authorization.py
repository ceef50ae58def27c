"""Who may call each endpoint of mandatory assignments, for the six actors.

In the world, the contact point of AZ has assigned a published course to every AZ officer.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.authorization import Case, check, expect
from tests.enrolments.conftest import days

CASES = [
    Case(
        "POST",
        "/api/v1/assignments",
        expect(401, 404, 404, 201, 404, 201),
        json={
            "course_id": "{course}",
            "administration": "AZ",
            "target": "all",
            "due_at": "2030-06-01T00:00:00+00:00",
        },
    ),
    Case("GET", "/api/v1/assignments", expect(401, 200, 200, 200, 200, 200)),
    Case("GET", "/api/v1/assignments/{assignment}", expect(401, 404, 404, 200, 404, 200)),
    Case(
        "GET",
        "/api/v1/assignments/{assignment}/compliance",
        expect(401, 404, 404, 200, 404, 200),
    ),
]


@pytest.fixture
def world(client, actors, learning, frozen) -> dict[str, Any]:
    course = learning.course()
    response = client.post(
        "/api/v1/assignments",
        json={
            "course_id": course.id,
            "target": "all",
            "due_at": (frozen + days(30)).isoformat(),
        },
        headers=actors["contact_point"].headers,
    )
    return {"course": course.id, "assignment": response.get_json()["id"]}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_authorization(case, client, actors, world):
    check(case, client, actors, world)
