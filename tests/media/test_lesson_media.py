"""Trainers show a ready asset of the same course in a video or document lesson."""

from __future__ import annotations

import pytest

from elearn.courses.models import Lesson
from tests.http import assert_problem
from tests.media.samples import MP4, PDF, PNG, SAMPLES


def put_media(client, person, lesson_id, asset_id):
    return client.put(
        f"/api/v1/lessons/{lesson_id}/media",
        json={"media_asset_id": asset_id},
        headers=person.headers,
    )


def media_of(make, lesson_id):
    return make.get(Lesson, lesson_id).media_asset_id


@pytest.fixture
def shown(courses, trainer, show):
    """A course whose single lesson shows a ready video: (course, lesson id, asset)."""
    course = courses.build(owners=[trainer], lessons=1)
    return course, course.lesson_ids[0][0], show(trainer, course)


@pytest.mark.parametrize(
    ("lesson", "content_type"),
    [
        ("video", "video/mp4"),
        ("video", "video/webm"),
        ("video", "audio/mpeg"),
        ("document", "application/pdf"),
        ("document", "image/webp"),
    ],
)
def test_a_trainer_shows_a_ready_asset_in_a_lesson(
    client, local_flow, courses, trainer, trainee, lesson_kind, make, lesson, content_type
):
    course = courses.build(owners=[trainer], lessons=1)
    lesson_id = course.lesson_ids[0][0]
    lesson_kind(trainer, course.id, lesson_id, lesson)
    asset = local_flow.ready(trainer, course.id, SAMPLES[content_type], content_type)

    response = put_media(client, trainer, lesson_id, asset["id"])
    seen = client.get(f"/api/v1/courses/{course.id}/lessons/{lesson_id}", headers=trainee.headers)

    assert response.status_code == 200, response.json
    assert response.json == {"lesson_id": lesson_id, "media": asset}
    assert seen.json["media_url"] == f"/api/v1/media/{asset['id']}/content"
    assert media_of(make, lesson_id) == asset["id"]


def test_null_removes_the_media(client, shown, trainer, make):
    course, lesson_id, _ = shown

    response = put_media(client, trainer, lesson_id, None)
    seen = client.get(f"/api/v1/courses/{course.id}/lessons/{lesson_id}", headers=trainer.headers)

    assert response.json == {"lesson_id": lesson_id, "media": None}
    assert seen.json["media_url"] is None
    assert media_of(make, lesson_id) is None


def test_an_asset_of_another_course_is_refused_and_nothing_changes(
    client, local_flow, courses, shown, trainer, make
):
    _, lesson_id, mine = shown
    other_course = courses.build(owners=[trainer])
    theirs = local_flow.ready(trainer, other_course.id, MP4, "video/mp4")

    response = put_media(client, trainer, lesson_id, theirs["id"])

    assert assert_problem(response, 422, fields=["media_asset_id"])["errors"] == {
        "media_asset_id": ["Not a media asset of this lesson's course."]
    }
    assert media_of(make, lesson_id) == mine["id"]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unknown", "Not a media asset of this lesson's course."),
        ("pending", "The upload of this media asset is not complete."),
        ("rejected", "The upload of this media asset is not complete."),
        ("image in a video lesson", "A video lesson shows audio or video files."),
        ("video in a document lesson", "A document lesson shows document or image files."),
        ("text lesson", "Only video and document lessons have media."),
    ],
)
def test_what_a_lesson_cannot_show_is_refused(
    client, local_flow, courses, trainer, lesson_kind, make, case, message
):
    course = courses.build(owners=[trainer], lessons=1)
    lesson_id = course.lesson_ids[0][0]
    kinds = {"video in a document lesson": "document", "text lesson": "text"}
    lesson_kind(trainer, course.id, lesson_id, kinds.get(case, "video"))
    if case in ("pending", "rejected"):
        asset_id = local_flow.start(trainer, course.id, PDF).json["asset"]["id"]
        if case == "rejected":
            assert local_flow.complete(trainer, asset_id).status_code == 422
    elif case == "unknown":
        asset_id = 10_000
    else:
        content = (PNG, "image/png") if case.startswith("image") else (MP4, "video/mp4")
        asset_id = local_flow.ready(trainer, course.id, *content)["id"]

    response = put_media(client, trainer, lesson_id, asset_id)

    assert assert_problem(response, 422)["errors"] == {"media_asset_id": [message]}
    assert media_of(make, lesson_id) is None


def test_changing_a_lessons_kind_removes_its_media(shown, trainer, lesson_kind, make):
    course, lesson_id, asset = shown

    lesson_kind(trainer, course.id, lesson_id, "video")
    kept = media_of(make, lesson_id)
    lesson_kind(trainer, course.id, lesson_id, "text")

    assert kept == asset["id"]
    assert media_of(make, lesson_id) is None


def test_bad_input_is_refused(client, shown, trainer):
    _, lesson_id, _ = shown

    missing = client.put(f"/api/v1/lessons/{lesson_id}/media", json={}, headers=trainer.headers)
    unknown = client.put(
        f"/api/v1/lessons/{lesson_id}/media",
        json={"media_asset_id": None, "lang": "en"},
        headers=trainer.headers,
    )
    no_lesson = put_media(client, trainer, 10_000, None)

    assert_problem(missing, 422, fields=["media_asset_id"])
    assert_problem(unknown, 422, fields=["lang"])
    assert_problem(no_lesson, 404)
