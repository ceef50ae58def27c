"""Starting an upload: accepted types, limits, the file name; bad input changes nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from elearn.accounts.models import Role
from elearn.media.models import MediaAsset
from tests.http import assert_problem


@pytest.fixture
def limits(app, monkeypatch):
    """``limits(video=…, other=…)``: smaller media size limits for one test."""

    def apply(video: int, other: int) -> None:
        settings = app.extensions["elearn.settings"]
        changed = replace(settings, media_max_video_bytes=video, media_max_other_bytes=other)
        monkeypatch.setitem(app.extensions, "elearn.settings", changed)

    return apply


def start(client, person, **changes):
    body = {
        "course_id": changes.pop("course_id", None),
        "filename": "handout.pdf",
        "content_type": "application/pdf",
        "size": 1000,
        **changes,
    }
    return client.post("/api/v1/media", json=body, headers=person.headers)


def test_a_started_upload_is_a_pending_asset_and_a_presigned_form(client, courses, trainer, make):
    course = courses.build(owners=[trainer], status="draft")

    response = start(client, trainer, course_id=course.id, content_type="video/mp4", size=5000)

    assert response.status_code == 201, response.json
    asset, upload = response.json["asset"], response.json["upload"]
    (row,) = make.all(MediaAsset)
    assert asset == {
        "id": row.id,
        "course_id": course.id,
        "kind": "video",
        "status": "pending",
        "rejection": None,
        "filename": "handout.pdf.mp4",
        "content_type": "video/mp4",
        "declared_size": 5000,
        "size": None,
        "sha256": None,
        "created_by_id": trainer.id,
        "created_at": asset["created_at"],
        "completed_at": None,
        "content_url": None,
    }
    assert upload["url"] == "http://elearn.test/storage/uploads"
    assert upload["fields"]["key"] == row.storage_key
    assert upload["fields"]["Content-Type"] == "video/mp4"
    assert upload["expires_at"] > asset["created_at"]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\me\\Report.PDF", "Report.PDF"),
        ("invoice\u202efdp.exe", "invoicefdp.exe.pdf"),
        ("  .hidden  name.pdf ", "hidden name.pdf"),
        ("page.html", "page.html.pdf"),
        ("...", "media.pdf"),
        ("Таможенная стоимость.pdf", "Таможенная стоимость.pdf"),
        ("a" * 255 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_the_file_name_is_made_safe_for_downloads(client, courses, trainer, given, kept):
    course = courses.build(owners=[trainer])

    response = start(client, trainer, course_id=course.id, filename=given[:255])

    assert response.status_code == 201, response.json
    assert response.json["asset"]["filename"] == kept


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"content_type": "image/svg+xml"}, "content_type"),
        ({"content_type": "text/html"}, "content_type"),
        ({"content_type": "video/mp4; codecs=avc1"}, "content_type"),
        ({"size": 0}, "size"),
        ({"size": "big"}, "size"),
        ({"filename": "  "}, "filename"),
        ({"filename": "x" * 256}, "filename"),
        ({"storage_key": "media/mine"}, "storage_key"),
        ({"course_id": "one"}, "course_id"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(client, courses, trainer, make, changes, field):
    course = courses.build(owners=[trainer])

    response = start(client, trainer, **{"course_id": course.id, **changes})

    assert_problem(response, 422, fields=[field])
    assert make.count(MediaAsset) == 0


def test_videos_and_other_files_have_their_own_size_limits(client, courses, trainer, make, limits):
    course = courses.build(owners=[trainer])
    limits(video=2000, other=1000)

    at_limits = [
        start(client, trainer, course_id=course.id, content_type="video/webm", size=2000),
        start(client, trainer, course_id=course.id, content_type="audio/mpeg", size=1000),
    ]
    video = start(client, trainer, course_id=course.id, content_type="video/mp4", size=2001)
    image = start(client, trainer, course_id=course.id, content_type="image/png", size=1001)

    assert [response.status_code for response in at_limits] == [201, 201]
    assert assert_problem(video, 422, fields=["size"])["errors"] == {
        "size": ["At most 2000 bytes for video/mp4."]
    }
    assert assert_problem(image, 422, fields=["size"])["errors"] == {
        "size": ["At most 1000 bytes for image/png."]
    }
    assert make.count(MediaAsset) == 2


def test_only_the_course_editors_start_uploads(client, courses, trainer, make):
    other_trainer = make.user(Role.TRAINER, administration=None)
    published = courses.build(owners=[trainer])
    draft = courses.build(owners=[trainer], status="draft")

    assert start(client, other_trainer, course_id=published.id).status_code == 403
    assert start(client, other_trainer, course_id=draft.id).status_code == 404
    assert start(client, other_trainer, course_id=draft.id + 1000).status_code == 404
    assert make.count(MediaAsset) == 0
