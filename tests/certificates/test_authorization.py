"""Who may call each certificates endpoint, for the six actors.

In the world, the trainer owns the course, the trainee (administration AZ) completed it and
holds its certificate, the contact point of AZ has exported the course's certificates and an
admin has asked for them to be rendered again. Cases that change state run the actors in order
(anonymous, trainee, trainer, contact point, other contact point, admin): a 409 after the
refusals shows the policy let the admin through to the domain rule.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.authorization import Case, check, expect

CERTIFICATE = "/api/v1/certificates/{certificate}"

CASES = [
    Case(
        "GET",
        "/.well-known/jwks.json",
        expect(200, 200, 200, 200, 200, 200),
        name="public keys are public",
    ),
    Case(
        "GET",
        "/credentials/status/1",
        expect(200, 200, 200, 200, 200, 200),
        name="revocation status lists are public",
    ),
    Case(
        "GET",
        "/credentials/achievements/{course}",
        expect(200, 200, 200, 200, 200, 200),
        name="achievements of certifying courses are public",
    ),
    Case("GET", "/api/v1/me/certificates", expect(401, 200, 200, 200, 200, 200)),
    Case("GET", CERTIFICATE, expect(401, 200, 200, 200, 404, 200)),
    Case("GET", f"{CERTIFICATE}/pdf", expect(401, 302, 302, 302, 404, 302)),
    Case("GET", f"{CERTIFICATE}/credential", expect(401, 200, 200, 200, 404, 200)),
    Case(
        "POST",
        f"{CERTIFICATE}/revoke",
        expect(401, 403, 403, 403, 404, 200),
        json={"reason": "Fraud"},
    ),
    Case(
        "POST",
        f"{CERTIFICATE}/reissue",
        expect(401, 403, 403, 403, 404, 202),
        json={"reason": "Name corrected"},
    ),
    Case("POST", f"{CERTIFICATE}/retry", expect(401, 403, 403, 403, 404, 409)),
    Case(
        "POST",
        "/api/v1/certificates/retry-failed",
        expect(401, 403, 403, 403, 403, 202),
        json={"since": "2026-01-01T00:00:00+00:00"},
    ),
    Case(
        "POST",
        "/api/v1/certificates/exports",
        expect(401, 403, 403, 202, 202, 422),
        json={"course_id": "{course}"},
        name="POST /api/v1/certificates/exports for one's own administration",
    ),
    Case(
        "POST",
        "/api/v1/certificates/exports",
        expect(401, 403, 403, 202, 404, 202),
        json={"course_id": "{course}", "administration": "AZ"},
        name="POST /api/v1/certificates/exports for AZ",
    ),
    Case("GET", "/api/v1/certificates/exports/{export}", expect(401, 404, 404, 200, 404, 200)),
    Case(
        "POST",
        "/api/v1/courses/{course}/certificates/rerender",
        expect(401, 403, 403, 403, 403, 202),
    ),
    Case("GET", "/api/v1/certificates/rerenders/{rerender}", expect(401, 403, 403, 403, 403, 200)),
    Case("GET", "/verify/{code}", expect(200, 200, 200, 200, 200, 200)),
    Case(
        "POST",
        "/verify",
        expect(200, 200, 200, 200, 200, 200),
        json={"credential": "{credential}"},
    ),
]


@pytest.fixture
def world(client, actors, graduation) -> dict[str, Any]:
    course = graduation.course(owners=(actors["trainer"],))
    graduate = graduation.graduate(actors["trainee"], course)
    export = client.post(
        "/api/v1/certificates/exports",
        json={"course_id": course.id},
        headers=actors["contact_point"].headers,
    )
    rerender = client.post(
        f"/api/v1/courses/{course.id}/certificates/rerender", headers=actors["admin"].headers
    )
    credential = client.get(
        f"/api/v1/certificates/{graduate.public_id}/credential",
        headers=actors["trainee"].headers,
    )
    return {
        "course": course.id,
        "certificate": graduate.public_id,
        "code": graduate.code,
        "export": export.json["id"],
        "rerender": rerender.json["id"],
        "credential": credential.json["credential"],
    }


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_authorization(case, client, actors, world):
    check(case, client, actors, world)
