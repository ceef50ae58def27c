"""Upload → complete → download, on the folder store and on S3 (SeaweedFS), with plain HTTP.

The storage server itself refuses what the presigned form does not allow (a larger file,
another content type); completing refuses what it let through but is not what was declared.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from elearn.infra.storage import storage
from elearn.media.models import MediaAsset
from tests.media.samples import HOSTILE, PDF, PNG, SAMPLES, sha256


def stored_object(app, key: str) -> bool:
    with app.app_context():
        return storage().exists(key)


def test_a_trainer_uploads_a_document_that_a_trainee_then_downloads(
    app, client, flow, courses, trainer, trainee, lesson_kind, make
):
    course = courses.build(owners=[trainer])
    lesson_id = course.lesson_ids[0][0]
    lesson_kind(trainer, course.id, lesson_id, "document")

    started = flow.start(trainer, course.id, PDF, "application/pdf", "Valuation — оценка.pdf")
    assert started.status_code == 201, started.json
    asset = started.json["asset"]
    assert asset["status"] == "pending"
    assert (asset["declared_size"], asset["size"], asset["content_url"]) == (len(PDF), None, None)
    assert flow.send(started.json, PDF).status == 204
    completed = flow.complete(trainer, asset["id"], sha256=sha256(PDF).upper())
    attached = client.put(
        f"/api/v1/lessons/{lesson_id}/media",
        json={"media_asset_id": asset["id"]},
        headers=trainer.headers,
    )
    lesson = client.get(
        f"/api/v1/courses/{course.id}/lessons/{lesson_id}", headers=trainee.headers
    ).json
    redirect, download = flow.fetch(trainee, asset["id"])

    assert completed.status_code == 200, completed.json
    assert completed.json["status"] == "ready"
    assert completed.json["sha256"] == sha256(PDF)
    assert completed.json["size"] == len(PDF)
    assert completed.json["completed_at"] is not None
    assert attached.status_code == 200, attached.json
    assert lesson["media_url"] == f"/api/v1/media/{asset['id']}/content"
    assert redirect.headers["Cache-Control"] == "no-store"
    assert download.status == 200
    assert download.body == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Valuation — оценка.pdf"
    (row,) = make.all(MediaAsset)
    assert (row.status, row.size, row.sha256) == ("ready", len(PDF), sha256(PDF))
    assert re.fullmatch("media/[0-9a-f]{40}", row.storage_key)


@pytest.mark.parametrize("content_type", sorted(SAMPLES))
def test_every_accepted_type_completes(flow, courses, trainer, content_type):
    course = courses.build(owners=[trainer])

    asset = flow.ready(trainer, course.id, SAMPLES[content_type], content_type)

    assert (asset["status"], asset["content_type"]) == ("ready", content_type)


def test_the_store_refuses_a_file_larger_than_declared(app, flow, courses, trainer, make):
    course = courses.build(owners=[trainer])
    started = flow.start(trainer, course.id, PDF, size=len(PDF) - 1).json

    refused = flow.send(started, PDF)
    completed = flow.complete(trainer, started["asset"]["id"])

    assert refused.status == 400
    assert completed.status_code == 422
    assert completed.json["rejection"] == "Nothing was uploaded."
    (row,) = make.all(MediaAsset)
    assert row.status == "rejected"
    assert not stored_object(app, row.storage_key)


def test_the_store_refuses_another_content_type(app, flow, courses, trainer, make):
    course = courses.build(owners=[trainer])
    started = flow.start(trainer, course.id, PNG, "image/png").json

    refused = flow.send(started, HOSTILE["svg"][1], **{"Content-Type": "image/svg+xml"})

    assert refused.status == 403
    (row,) = make.all(MediaAsset)
    assert not stored_object(app, row.storage_key)
    assert row.status == "pending"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_bytes_that_are_not_the_declared_type_are_rejected_and_deleted(
    app, flow, courses, trainer, make, name
):
    course = courses.build(owners=[trainer])
    declared, content = HOSTILE[name]
    started = flow.start(trainer, course.id, content, declared).json
    assert flow.send(started, content).status == 204
    (row,) = make.all(MediaAsset)
    assert stored_object(app, row.storage_key)

    first = flow.complete(trainer, row.id)
    again = flow.complete(trainer, row.id)

    assert first.status_code == 422
    assert first.json["rejection"].startswith(f"The content is not {declared}")
    assert first.json["detail"] == f"The upload was rejected and deleted: {first.json['rejection']}"
    assert (again.status_code, again.json["rejection"]) == (422, first.json["rejection"])
    assert not stored_object(app, row.storage_key)
    (row,) = make.all(MediaAsset)
    assert (row.status, row.rejection) == ("rejected", first.json["rejection"])


def test_a_file_smaller_than_declared_is_rejected(app, flow, courses, trainer, make):
    course = courses.build(owners=[trainer])
    started = flow.start(trainer, course.id, PDF, size=len(PDF) + 10).json
    assert flow.send(started, PDF).status == 204

    completed = flow.complete(trainer, started["asset"]["id"])

    assert completed.status_code == 422
    assert completed.json["rejection"] == (
        f"The upload has {len(PDF)} bytes; {len(PDF) + 10} were declared."
    )
    assert not stored_object(app, make.all(MediaAsset)[0].storage_key)


def test_a_file_with_another_sha256_is_rejected(app, flow, courses, trainer, make):
    course = courses.build(owners=[trainer])
    started = flow.start(trainer, course.id, PDF).json
    assert flow.send(started, PDF).status == 204

    completed = flow.complete(trainer, started["asset"]["id"], sha256=sha256(b"other"))

    assert completed.status_code == 422
    assert completed.json["rejection"] == "The SHA-256 of the upload is not the one given."
    assert not stored_object(app, make.all(MediaAsset)[0].storage_key)


def test_completing_a_ready_asset_again_changes_nothing(flow, courses, trainer, make):
    course = courses.build(owners=[trainer])
    asset = flow.ready(trainer, course.id)

    again = flow.complete(trainer, asset["id"], sha256=sha256(b"other"))

    assert again.status_code == 200
    assert again.json == asset


def test_sending_the_form_again_after_completion_changes_nothing_served(
    app, flow, courses, trainer, make
):
    course = courses.build(owners=[trainer])
    started = flow.start(trainer, course.id).json
    assert flow.send(started, PDF).status == 204
    assert flow.complete(trainer, started["asset"]["id"]).status_code == 200

    # The presigned form stays valid until it expires, so it can be sent again meanwhile.
    assert flow.send(started, PDF[:100]).status == 204

    asset = make.all(MediaAsset)[0]
    with app.app_context(), storage().open(asset.storage_key) as reader:
        assert reader.read() == PDF
    assert asset.storage_key != started["upload"]["fields"]["key"]


def test_a_file_replaced_while_it_is_checked_does_not_change_what_was_checked(
    app, local_flow, courses, trainer, make, monkeypatch
):
    course = courses.build(owners=[trainer])
    started = local_flow.start(trainer, course.id).json
    assert local_flow.send(started, PDF).status == 204
    store = app.extensions["elearn.storage"]
    head = store.head

    upload_key = started["upload"]["fields"]["key"]

    def head_then_replace(key):
        info = head(key)
        if key != upload_key:  # checking the private copy: the form is sent again meanwhile
            assert local_flow.send(started, PDF[:100]).status == 204
        return info

    monkeypatch.setattr(store, "head", head_then_replace)

    completed = local_flow.complete(trainer, started["asset"]["id"])

    assert completed.status_code == 200
    asset = make.all(MediaAsset)[0]
    assert (asset.size, asset.sha256) == (len(PDF), sha256(PDF))
