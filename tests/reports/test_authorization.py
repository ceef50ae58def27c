"""Who may read an administration's reports: its contact point and admins; nobody else."""

from __future__ import annotations

from typing import Any

import pytest

from tests.authorization import Case, check, expect

CASES = [
    Case("GET", "/api/v1/reports/administrations/AZ", expect(401, 404, 404, 200, 404, 200)),
    Case(
        "GET",
        "/api/v1/reports/administrations/AZ/enrolments.csv",
        expect(401, 404, 404, 200, 404, 200),
    ),
    Case(
        "GET",
        "/api/v1/reports/administrations/AZ/enrolments.xlsx",
        expect(401, 404, 404, 200, 404, 200),
    ),
    Case(
        "GET",
        "/api/v1/reports/administrations/AZ/trainees",
        expect(401, 404, 404, 200, 404, 200),
    ),
    Case(
        "GET",
        "/api/v1/reports/administrations/AZ/trainees.csv",
        expect(401, 404, 404, 200, 404, 200),
    ),
    Case(
        "GET",
        "/api/v1/reports/administrations/AZ/trainees.xlsx",
        expect(401, 404, 404, 200, 404, 200),
    ),
    Case(
        "GET",
        "/api/v1/reports/administrations/GE/trainees",
        expect(401, 404, 404, 404, 200, 200),
        name="GET the per-officer report of GE",
    ),
]


@pytest.fixture
def world(actors, learning) -> dict[str, Any]:
    learning.enrol(actors["trainee"], learning.course())
    return {}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_authorization(case, client, actors, world):
    check(case, client, actors, world)
