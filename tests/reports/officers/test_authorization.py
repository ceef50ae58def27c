"""Who may read an officer's transcript and a course's matrix, for the six actors.

The trainee (AZ) is enrolled in a course the trainer owns.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.authorization import Case, check, expect

CASES = [
    Case("GET", "/api/v1/users/{trainee}/transcript", expect(401, 200, 404, 200, 404, 200)),
    Case("GET", "/api/v1/reports/courses/{course}/matrix", expect(401, 403, 200, 200, 200, 200)),
    Case(
        "GET",
        "/api/v1/reports/courses/{course}/matrix?administration=AZ",
        expect(401, 403, 200, 200, 404, 200),
        name="GET /api/v1/reports/courses/{course}/matrix?administration=AZ",
    ),
]


@pytest.fixture
def world(actors, learning) -> dict[str, Any]:
    course = learning.course(owners=(actors["trainer"],))
    learning.enrol(actors["trainee"], course)
    return {"course": course.id, "trainee": actors["trainee"].id}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_authorization(case, client, actors, world):
    check(case, client, actors, world)
