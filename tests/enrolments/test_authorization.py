"""Who may call each endpoint of course runs and enrolments, for the six actors.

In the world, the trainer owns the course, the trainee (administration AZ) is enrolled in it,
and the course has one run open to everyone. Cases that change state run the actors in order
(anonymous, trainee, trainer, contact point, other contact point, admin): a 409 after an
allowed actor's 200 shows the policy let that actor through to the domain rule.
"""

from __future__ import annotations

from typing import Any

import pytest

from elearn.accounts.models import Role
from tests.authorization import Case, check, expect

CASES = [
    Case("GET", "/api/v1/courses/{course}/runs", expect(401, 200, 200, 200, 200, 200)),
    Case(
        "POST",
        "/api/v1/courses/{course}/runs",
        expect(401, 403, 201, 403, 403, 201),
        json={"name": "Autumn"},
    ),
    Case("GET", "/api/v1/runs/{run}", expect(401, 200, 200, 200, 200, 200)),
    Case(
        "PATCH",
        "/api/v1/runs/{run}",
        expect(401, 403, 200, 403, 403, 200),
        json={"capacity": 40},
    ),
    Case(
        "POST",
        "/api/v1/courses/{other_course}/enrolments",
        expect(401, 201, 201, 201, 201, 201),
        json={},
    ),
    Case("GET", "/api/v1/courses/{course}/enrolments", expect(401, 403, 200, 200, 200, 200)),
    Case("GET", "/api/v1/enrolments", expect(401, 403, 403, 200, 200, 200)),
    Case(
        "GET",
        "/api/v1/enrolments?administration=AZ",
        expect(401, 404, 404, 200, 404, 200),
        name="GET /api/v1/enrolments?administration=AZ",
    ),
    Case("GET", "/api/v1/me/enrolments", expect(401, 200, 200, 200, 200, 200)),
    Case("GET", "/api/v1/enrolments/{enrolment}", expect(401, 200, 200, 200, 404, 200)),
    Case(
        "PATCH",
        "/api/v1/enrolments/{enrolment}",
        expect(401, 403, 200, 200, 404, 200),
        json={"due_at": "2031-01-01T00:00:00+00:00"},
        name="PATCH /api/v1/enrolments/{enrolment} due_at",
    ),
    Case(
        "PATCH",
        "/api/v1/enrolments/{enrolment}",
        expect(401, 200, 409, 409, 404, 409),
        json={"status": "withdrawn"},
        name="PATCH /api/v1/enrolments/{enrolment} withdraw",
    ),
    Case(
        "POST",
        "/api/v1/enrolments/{enrolment}/lessons/{lesson}/complete",
        expect(401, 200, 403, 403, 404, 403),
    ),
    Case(
        "POST",
        "/api/v1/enrolments/bulk",
        expect(401, 403, 200, 200, 200, 200),
        json={"course_id": "{course}", "run_id": "{run}", "user_ids": [999_999]},
    ),
]


@pytest.fixture
def world(actors, learning) -> dict[str, Any]:
    course = learning.course(owners=(actors["trainer"],))
    run_id = learning.run(course, name="Spring")
    enrolment = learning.enrol(actors["trainee"], course, run_id=run_id)
    return {
        "course": course.id,
        "other_course": learning.course().id,
        "run": run_id,
        "enrolment": enrolment["id"],
        "lesson": course.lessons[0],
    }


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_authorization(case, client, actors, world, frozen):
    check(case, client, actors, world)


def test_a_trainer_who_does_not_own_the_course(client, make, actors, learning):
    """Runs and enrolments of someone else's course are read-only or closed to a trainer."""
    stranger = make.user(Role.TRAINER, administration=None)
    course = learning.course(owners=(actors["trainer"],))
    run_id = learning.run(course)
    enrolment = learning.enrol(actors["trainee"], course, run_id=run_id)
    headers = stranger.headers

    assert client.get(f"/api/v1/courses/{course.id}/runs", headers=headers).status_code == 200
    assert (
        client.post(f"/api/v1/courses/{course.id}/runs", json={"name": "X"}, headers=headers)
    ).status_code == 403
    assert (
        client.patch(f"/api/v1/runs/{run_id}", json={"name": "Y"}, headers=headers).status_code
        == 403
    )
    assert client.get(f"/api/v1/courses/{course.id}/enrolments", headers=headers).status_code == 403
    assert client.get(f"/api/v1/enrolments/{enrolment['id']}", headers=headers).status_code == 404
