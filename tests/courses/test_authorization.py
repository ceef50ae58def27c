"""Who may call each courses endpoint: every endpoint, six actors, each on a fresh world.

Each (case, actor) pair runs alone, so a destructive request by one actor (a delete, an
archive) never changes what the next actor finds.
"""

from __future__ import annotations

from typing import Any

import pytest

from elearn.accounts.models import Role
from tests.authorization import ACTORS, Case, expect

EVERYONE = expect(401, 200, 200, 200, 200, 200)
EDITORS = expect(401, 403, 200, 403, 403, 200)
EDITORS_CREATE = expect(401, 403, 201, 403, 403, 201)
EDITORS_DELETE = expect(401, 403, 204, 403, 403, 204)
DRAFT_EDITORS = expect(401, 404, 200, 404, 404, 200)
COURSE = "/api/v1/courses/{published}"
DRAFT = "/api/v1/courses/{draft}"
MODULE = COURSE + "/modules/{published_module}"
LESSON = COURSE + "/lessons/{published_lesson}"

CASES = [
    Case("GET", "/api/v1/courses", EVERYONE),
    Case(
        "POST",
        "/api/v1/courses",
        expect(401, 403, 201, 403, 403, 201),
        json={
            "slug": "new-course",
            "code": "N",
            "default_language": "en",
            "translations": {"en": {"title": "New"}},
        },
    ),
    Case("GET", COURSE, EVERYONE),
    Case("GET", DRAFT, DRAFT_EDITORS, name="GET a draft"),
    Case(
        "GET",
        "/api/v1/courses/{restricted}",
        expect(401, 404, 404, 404, 200, 200),
        name="GET a GE-only course",
    ),
    Case("PATCH", COURSE, EDITORS, json={"code": "NEW"}),
    Case("PATCH", DRAFT, DRAFT_EDITORS, json={"code": "NEW"}, name="PATCH a draft"),
    Case("POST", COURSE + "/owners", EDITORS, json={"user_id": "{co_trainer}"}),
    Case("DELETE", COURSE + "/owners/{co_trainer}", EDITORS_DELETE),
    Case("POST", DRAFT + "/publish", DRAFT_EDITORS, json={}),
    Case("POST", COURSE + "/unpublish", EDITORS, json={}),
    Case("POST", COURSE + "/archive", EDITORS, json={}),
    Case("GET", COURSE + "/modules", EVERYONE),
    Case("GET", COURSE + "/modules?archived=true", EDITORS, name="GET archived outline"),
    Case("POST", COURSE + "/modules", EDITORS_CREATE, json={"key": "new", "titles": {"en": "New"}}),
    Case("PUT", COURSE + "/modules/order", EDITORS, json={"ids": ["{published_module}"]}),
    Case("GET", MODULE, EVERYONE),
    Case("PATCH", MODULE, EDITORS, json={"titles": {"en": "Renamed"}}),
    Case("DELETE", MODULE, EDITORS_DELETE),
    Case("POST", MODULE + "/archive", EDITORS, json={}),
    Case(
        "POST",
        MODULE + "/lessons",
        EDITORS_CREATE,
        json={"key": "new", "kind": "text", "translations": {"en": {"title": "New"}}},
    ),
    Case(
        "PUT",
        MODULE + "/lessons/order",
        EDITORS,
        json={"ids": ["{published_lesson2}", "{published_lesson}"]},
    ),
    Case("GET", LESSON, EVERYONE),
    Case("GET", DRAFT + "/lessons/{draft_lesson}", DRAFT_EDITORS, name="GET a draft's lesson"),
    Case("PATCH", LESSON, EDITORS, json={"minutes": 5}),
    Case("DELETE", LESSON, EDITORS_DELETE),
    Case("POST", LESSON + "/archive", EDITORS, json={}),
]


@pytest.fixture
def world(make, courses, actors) -> dict[str, Any]:
    trainer = actors["trainer"]
    co_trainer = make.user(Role.TRAINER, administration=None)
    published = courses.build(owners=[trainer, co_trainer])
    draft = courses.build(owners=[trainer], status="draft")
    restricted = courses.build(owners=[co_trainer], administrations=["GE"])
    return {
        "published": published.id,
        "published_module": published.module_ids[0],
        "published_lesson": published.lesson_ids[0][0],
        "published_lesson2": published.lesson_ids[0][1],
        "draft": draft.id,
        "draft_lesson": draft.lesson_ids[0][0],
        "restricted": restricted.id,
        "co_trainer": co_trainer.id,
    }


def _render(value: Any, world: dict[str, Any]) -> Any:
    if isinstance(value, str):
        rendered = value.format(**world)
        return int(rendered) if rendered.isdigit() and rendered != value else rendered
    if isinstance(value, dict):
        return {key: _render(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [_render(item, world) for item in value]
    return value


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_authorization(case: Case, actor: str, client, actors, world) -> None:
    person = actors[actor]
    headers = person.headers if person is not None else {}
    path = case.path.format(**world)
    body = _render(case.json, world) if case.method not in {"GET", "HEAD"} else None
    response = client.open(path, method=case.method, json=body, headers=headers)

    assert response.status_code == case.expected[actor], response.get_data(as_text=True)[:300]
