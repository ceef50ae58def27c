"""Lesson media in bulk: content packages carry their lessons' media, stored on import and read
back on export unchanged."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from elearn.content.cli import content
from elearn.courses.models import Course, Lesson
from elearn.infra.storage import StorageUnavailable, storage
from elearn.media.models import MediaAsset
from tests.content.builders import fixture_package, folder_files, zip_of
from tests.http import assert_problem
from tests.media.samples import PDF, PNG, sha256

VIDEO = "media/walkthrough.mp4"
WHERE = "course.yaml: modules[0].lessons[{}].media"


def with_handout(files, path="media/handout.pdf", data=PDF, kind="document"):
    """The fixture package, its introduction made a ``kind`` lesson showing ``path``."""
    document = yaml.safe_load(files["course.yaml"])
    document["modules"][0]["lessons"][0].update(kind=kind, media=path)
    course_yaml = yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()
    return {**files, "course.yaml": course_yaml, path: data}


def import_zip(client, person, files):
    return client.post(
        "/api/v1/courses/import",
        data={"package": (io.BytesIO(zip_of(files)), "package.zip")},
        headers={**person.headers, "X-Requested-With": "test"},
        content_type="multipart/form-data",
    )


def export_zip(client, person, course_id) -> dict[str, bytes]:
    response = client.get(f"/api/v1/courses/{course_id}/export", headers=person.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def shown_media(make):
    return {lesson.key: lesson.media_asset_id for lesson in make.all(Lesson)}


def objects(app) -> set[Path]:
    """The files of the app's folder store (its own bookkeeping folders left out)."""
    with app.app_context():
        root = storage().root
    return {path for path in (root / "media").rglob("*") if path.is_file()}


def test_an_import_stores_each_media_file_and_shows_it_in_its_lesson(
    app, client, flow, trainer, trainee, make
):
    files = with_handout(fixture_package())

    response = import_zip(client, trainer, files)
    course_id = response.json["course_id"]
    client.post(f"/api/v1/courses/{course_id}/publish", headers=trainer.headers)
    assets = {asset.content_type: asset for asset in make.all(MediaAsset)}
    handout, video = assets["application/pdf"], assets["video/mp4"]
    introduction = {lesson.key: lesson.id for lesson in make.all(Lesson)}["introduction"]
    lesson = client.get(
        f"/api/v1/courses/{course_id}/lessons/{introduction}", headers=trainee.headers
    )

    assert response.status_code == 200, response.json
    assert (handout.content_type, handout.kind, handout.filename) == (
        "application/pdf",
        "document",
        "handout.pdf",
    )
    assert (video.content_type, video.filename, video.status) == (
        "video/mp4",
        "walkthrough.mp4",
        "ready",
    )
    assert (handout.sha256, handout.size) == (sha256(PDF), len(PDF))
    assert shown_media(make) == {
        "introduction": handout.id,
        "walkthrough": video.id,
        "agreement-text": None,
        "final-quiz": None,
    }
    assert lesson.json["media_url"] == f"/api/v1/media/{handout.id}/content"
    for asset, data in ((handout, PDF), (video, files[VIDEO])):
        assert flow.fetch(trainee, asset.id)[1].body == data


def test_export_writes_the_media_back_and_round_trips_byte_for_byte(client, flow, trainer, make):
    files = with_handout(fixture_package())
    course_id = import_zip(client, trainer, files).json["course_id"]

    first = export_zip(client, trainer, course_id)
    again = import_zip(client, trainer, first)
    second = export_zip(client, trainer, course_id)

    assert first["media/introduction.pdf"] == PDF
    assert first["media/walkthrough.mp4"] == files[VIDEO]
    lessons = yaml.safe_load(first["course.yaml"])["modules"][0]["lessons"]
    assert [lesson.get("media") for lesson in lessons] == [
        "media/introduction.pdf",
        "media/walkthrough.mp4",
    ]
    assert again.status_code == 200, again.json
    assert second == first
    assert make.count(MediaAsset) == 2


def test_importing_again_reuses_the_stored_files(app, client, trainer, make):
    files = with_handout(fixture_package())
    import_zip(client, trainer, files)
    before = (make.count(MediaAsset), objects(app), shown_media(make))

    response = import_zip(client, trainer, files)

    assert response.status_code == 200
    assert (make.count(MediaAsset), objects(app), shown_media(make)) == before


def test_a_package_without_a_lessons_media_line_removes_it_from_the_lesson(client, trainer, make):
    files = fixture_package()
    import_zip(client, trainer, files)
    document = yaml.safe_load(files["course.yaml"])
    del document["modules"][0]["lessons"][1]["media"]

    response = import_zip(
        client, trainer, {**files, "course.yaml": yaml.safe_dump(document).encode()}
    )

    assert response.status_code == 200, response.json
    assert shown_media(make)["walkthrough"] is None
    assert make.count(MediaAsset) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda files: with_handout(files, data=b"<html><script>alert(1)</script></html>"),
            "media/handout.pdf: The content is not application/pdf: its type is not accepted.",
        ),
        (
            lambda files: with_handout(files, data=PNG),
            "media/handout.pdf: The content is not application/pdf: it looks like image/png.",
        ),
        (
            lambda files: with_handout(files, path="media/chart.gif", data=b"GIF89a" + PNG),
            "media/chart.gif: Media files are .jpeg, .jpg, .mp3, .mp4, .pdf, .png, .webm, "
            ".webp; not chart.gif.",
        ),
        (
            lambda files: with_handout(files, kind="video"),
            "media/handout.pdf: A video lesson shows audio or video files.",
        ),
    ],
    ids=["html as pdf", "png as pdf", "gif", "pdf in a video lesson"],
)
def test_a_media_file_that_is_refused_refuses_the_whole_import(
    app, client, trainer, make, change, message
):
    before = objects(app)

    response = import_zip(client, trainer, change(fixture_package()))

    assert assert_problem(response, 422)["errors"] == {WHERE.format(0): [message]}
    assert (make.count(Course), make.count(MediaAsset)) == (0, 0)
    assert objects(app) == before


def test_media_over_the_size_limit_refuse_the_import(app, client, trainer, make, monkeypatch):
    smaller = replace(app.extensions["elearn.settings"], media_max_other_bytes=100)
    monkeypatch.setitem(app.extensions, "elearn.settings", smaller)

    response = import_zip(client, trainer, with_handout(fixture_package()))

    assert assert_problem(response, 422)["errors"] == {
        WHERE.format(0): [
            f"media/handout.pdf: At most 100 bytes for application/pdf; this file has {len(PDF)}."
        ]
    }
    assert make.count(MediaAsset) == 0


def test_per_language_files_are_refused(client, trainer, make):
    files = fixture_package()
    document = yaml.safe_load(files["course.yaml"])
    document["modules"][0]["lessons"][1]["media"] = {"en": VIDEO, "ru": "media/ru.mp4"}
    files = {
        **files,
        "course.yaml": yaml.safe_dump(document).encode(),
        "media/ru.mp4": files[VIDEO],
    }

    response = import_zip(client, trainer, files)

    assert assert_problem(response, 422)["errors"] == {
        WHERE.format(1): [
            "A lesson has one media file for all its languages; per-language files are not "
            "supported."
        ]
    }
    assert make.count(Course) == 0


def test_a_store_failing_part_way_leaves_nothing_stored(app, client, trainer, make, monkeypatch):
    local = app.extensions["elearn.storage"]
    puts = []

    def failing_put(key, data, content_type):
        if puts:
            raise StorageUnavailable("the store went away")
        puts.append(key)
        return real_put(key, data, content_type)

    real_put = local.put
    monkeypatch.setattr(local, "put", failing_put)
    before = objects(app)

    response = import_zip(client, trainer, with_handout(fixture_package()))

    assert response.status_code == 500
    assert len(puts) == 1
    assert objects(app) == before
    assert (make.count(Course), make.count(MediaAsset)) == (0, 0)


def test_the_command_line_shows_its_progress_while_storing_media(app, tmp_path, trainer, make):
    package = tmp_path / "package"
    for name, data in with_handout(fixture_package()).items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_bytes(data)
    runner = app.test_cli_runner()

    imported = runner.invoke(content, ["import", str(package)])
    exported = runner.invoke(
        content, ["export", "customs-valuation-transaction-value", str(tmp_path / "out")]
    )

    assert imported.exit_code == 0, imported.output
    assert "Uploading media" in imported.output
    assert make.count(MediaAsset) == 2
    assert exported.exit_code == 0, exported.output
    out = folder_files(tmp_path / "out")
    assert (out["media/introduction.pdf"], out["media/walkthrough.mp4"]) == (
        PDF,
        fixture_package()[VIDEO],
    )
