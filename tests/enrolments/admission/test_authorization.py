"""Who may call each endpoint of admission to runs, for the six actors.

In the world, the trainer owns the course; it has a nomination run (AZ quota of 2) and an
approval run in which the trainee (AZ) has a pending seat request. Cases that change state run
the actors in order (anonymous, trainee, trainer, contact point, other contact point, admin):
a 409 after an allowed actor's 200 shows the policy let that actor through to the domain rule.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.authorization import Case, check, expect

CASES = [
    Case("GET", "/api/v1/runs/{nomination_run}/quotas", expect(401, 200, 200, 200, 200, 200)),
    Case(
        "PUT",
        "/api/v1/runs/{nomination_run}/quotas/AZ",
        expect(401, 403, 200, 403, 403, 200),
        json={"seats": 3},
    ),
    Case(
        "POST",
        "/api/v1/runs/{nomination_run}/nominations",
        expect(401, 403, 403, 404, 404, 404),
        json={"user_ids": [999_999]},
    ),
    Case(
        "POST",
        "/api/v1/runs/{approval_run}/seat-requests",
        expect(401, 200, 201, 201, 201, 201),
    ),
    Case("GET", "/api/v1/seat-requests", expect(401, 200, 200, 200, 200, 200)),
    Case("GET", "/api/v1/seat-requests/{request}", expect(401, 200, 200, 200, 404, 200)),
    Case(
        "POST",
        "/api/v1/seat-requests/{request}/approve",
        expect(401, 403, 403, 200, 404, 409),
    ),
    Case(
        "POST",
        "/api/v1/seat-requests/{request}/reject",
        expect(401, 403, 403, 200, 404, 409),
        json={"reason": "No seats for this unit."},
    ),
    Case(
        "POST",
        "/api/v1/seat-requests/{request}/withdraw",
        expect(401, 200, 403, 403, 404, 403),
    ),
]


@pytest.fixture
def world(client, actors, learning) -> dict[str, Any]:
    course = learning.course(owners=(actors["trainer"],))
    nomination_run = learning.run(course, name="Nominated", admission="nomination")
    approval_run = learning.run(course, name="Approved", admission="approval")
    client.put(
        f"/api/v1/runs/{nomination_run}/quotas/AZ",
        json={"seats": 2},
        headers=actors["admin"].headers,
    )
    request = client.post(
        f"/api/v1/runs/{approval_run}/seat-requests", headers=actors["trainee"].headers
    )
    return {
        "nomination_run": nomination_run,
        "approval_run": approval_run,
        "request": request.get_json()["id"],
    }


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_authorization(case, client, actors, world, frozen):
    check(case, client, actors, world)
