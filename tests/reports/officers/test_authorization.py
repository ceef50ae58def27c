"""Who may read an officer's transcript and a course's matrix, for the six actors.

The trainee (AZ) is enrolled in a course the trainer owns.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.authorization import Case, check, expect

CASES = [
    Case("GET", "/api/v1/users/{trainee}/transcript", expect(401, 200, 404, 200, 404, 200)),
    Case("POST", "/api/v1/users/{trainee}/transcript/pdf", expect(401, 202, 404, 202, 404, 202)),
    Case(
        "GET",
        "/api/v1/users/{trainee}/transcript/pdf/{document}",
        expect(401, 302, 404, 302, 404, 302),
    ),
    Case("GET", "/api/v1/reports/courses/{course}/matrix", expect(401, 403, 200, 200, 200, 200)),
    Case(
        "GET",
        "/api/v1/reports/courses/{course}/matrix?administration=AZ",
        expect(401, 403, 200, 200, 404, 200),
        name="GET /api/v1/reports/courses/{course}/matrix?administration=AZ",
    ),
]


@pytest.fixture
def world(client, actors, learning) -> dict[str, Any]:
    course = learning.course(owners=(actors["trainer"],))
    trainee = actors["trainee"]
    learning.enrol(trainee, course)
    document = client.post(f"/api/v1/users/{trainee.id}/transcript/pdf", headers=trainee.headers)
    return {"course": course.id, "trainee": trainee.id, "document": document.get_json()["id"]}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_authorization(case, client, actors, world):
    check(case, client, actors, world)
