"""Who may import and export content packages: every endpoint, six actors, a fresh world each."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.authorization import ACTORS, Case, expect
from tests.content.builders import fixture_package, zip_of

EDITORS = expect(401, 403, 200, 403, 403, 200)
DRAFT_EDITORS = expect(401, 404, 200, 404, 404, 200)

CASES = [
    Case("POST", "/api/v1/courses/import", EDITORS, extra={"upload": True}),
    Case("GET", "/api/v1/courses/{published}/export", EDITORS),
    Case("GET", "/api/v1/courses/{draft}/export", DRAFT_EDITORS, name="GET a draft's export"),
]


@pytest.fixture
def world(courses, actors) -> dict[str, Any]:
    trainer = actors["trainer"]
    return {
        "published": courses.build(owners=[trainer]).id,
        "draft": courses.build(owners=[trainer], status="draft").id,
    }


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_authorization(case: Case, actor: str, client, actors, world) -> None:
    person = actors[actor]
    headers = person.headers if person is not None else {}
    path = case.path.format(**world)
    if case.extra.get("upload"):
        response = client.post(
            path,
            data={"package": (io.BytesIO(zip_of(fixture_package())), "package.zip")},
            content_type="multipart/form-data",
            headers={**headers, "X-Requested-With": "test"},
        )
    else:
        response = client.get(path, headers=headers)

    assert response.status_code == case.expected[actor], response.get_data(as_text=True)[:300]
