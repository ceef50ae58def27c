"""Who may call each media endpoint: every endpoint, six actors.

The trainer owns the published course, its draft sibling and the media of both. Media is hidden
(404) from anyone who does not manage the course, except a file a lesson shows, which whoever
may see that lesson gets (302 to the file).
"""

from __future__ import annotations

from typing import Any

import pytest

from elearn.accounts.models import Role
from tests.authorization import Case, check, expect
from tests.media.samples import MP4, PDF

EDITORS = expect(401, 403, 200, 403, 403, 200)
HIDDEN = expect(401, 404, 200, 404, 404, 200)
MANAGERS_ONLY = expect(401, 404, 302, 404, 404, 302)
UPLOAD = {"filename": "a.pdf", "content_type": "application/pdf", "size": 100}

CASES = [
    Case(
        "POST",
        "/api/v1/media",
        expect(401, 403, 201, 403, 403, 201),
        json={"course_id": "{published}", **UPLOAD},
    ),
    Case(
        "POST",
        "/api/v1/media",
        expect(401, 404, 201, 404, 404, 201),
        json={"course_id": "{draft}", **UPLOAD},
        name="POST /api/v1/media for a draft",
    ),
    Case("GET", "/api/v1/media/{shown}", HIDDEN),
    Case("POST", "/api/v1/media/{uploaded}/complete", HIDDEN, json={}),
    Case("GET", "/api/v1/media/{shown}/content", expect(401, 302, 302, 302, 302, 302)),
    Case("GET", "/api/v1/media/{unshown}/content", MANAGERS_ONLY, name="GET unshown content"),
    Case("GET", "/api/v1/media/{draft_shown}/content", MANAGERS_ONLY, name="GET draft content"),
    Case(
        "GET",
        "/api/v1/media/{restricted_shown}/content",
        expect(401, 404, 404, 404, 302, 302),
        name="GET content of a GE-only course",
    ),
    Case("GET", "/api/v1/courses/{published}/media", EDITORS),
    Case("GET", "/api/v1/courses/{draft}/media", HIDDEN, name="GET a draft's media"),
    Case(
        "PUT", "/api/v1/lessons/{video_lesson}/media", EDITORS, json={"media_asset_id": "{unshown}"}
    ),
    Case(
        "PUT",
        "/api/v1/lessons/{draft_lesson}/media",
        HIDDEN,
        json={"media_asset_id": None},
        name="PUT a draft lesson's media",
    ),
]


@pytest.fixture
def world(make, courses, actors, local_flow, lesson_kind, show) -> dict[str, Any]:
    trainer = actors["trainer"]
    co_trainer = make.user(Role.TRAINER, administration=None)
    published = courses.build(owners=[trainer], lessons=2)
    draft = courses.build(owners=[trainer], status="draft", lessons=1)
    restricted = courses.build(owners=[co_trainer], administrations=["GE"], lessons=1)

    uploading = local_flow.start(trainer, published.id).json
    assert local_flow.send(uploading, PDF).status == 204
    video_lesson = published.lesson_ids[0][1]
    lesson_kind(trainer, published.id, video_lesson, "video")
    return {
        "published": published.id,
        "draft": draft.id,
        "shown": show(trainer, published)["id"],
        "unshown": local_flow.ready(trainer, published.id, MP4, "video/mp4")["id"],
        "draft_shown": show(trainer, draft)["id"],
        "restricted_shown": show(co_trainer, restricted)["id"],
        "uploaded": uploading["asset"]["id"],
        "video_lesson": video_lesson,
        "draft_lesson": draft.lesson_ids[0][0],
    }


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_authorization(case: Case, client, actors, world) -> None:
    check(case, client, actors, world)
