"""Zip exports of an administration's certificates for a course, built in the background."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import update

from elearn import clock
from elearn.audit.models import AuditEvent
from elearn.certificates.models import CertificateJob
from elearn.courses.models import Course
from elearn.extensions import db
from elearn.infra.storage import StorageAuthError, storage
from tests.http import assert_problem


def request_export(client, person, **body):
    return client.post("/api/v1/certificates/exports", json=body, headers=person.headers)


def poll(client, person, job_id: int):
    return client.get(f"/api/v1/certificates/exports/{job_id}", headers=person.headers)


def test_a_contact_point_gets_their_administrations_certificates_as_one_zip(
    client, graduation, make, actors
):
    cp = actors["contact_point"]
    course = graduation.course()
    azeri = [
        graduation.graduate(graduation.trainee(full_name=name), course)
        for name in ("Алиева Лейла", "Mammadov Elchin", "Hasanova Aygun")
    ]
    revoked = graduation.graduate(course=course)
    admin = actors["admin"]
    client.post(
        f"/api/v1/certificates/{revoked.public_id}/revoke",
        json={"reason": "Fraud"},
        headers=admin.headers,
    )
    graduation.graduate(graduation.trainee("GE"), course)
    graduation.graduate(actors["trainee"])

    response = request_export(client, cp, course_id=course.id)

    assert response.status_code == 202
    job = poll(client, cp, response.json["id"]).json
    assert (job["status"], job["total"], job["done"], job["administration"]) == ("done", 3, 3, "AZ")
    zipped = client.get(job["download_url"])
    assert zipped.status_code == 200
    assert zipped.mimetype == "application/zip"
    assert re.search(
        r'filename="certificates-L-\d+-AZ\.zip"', zipped.headers["Content-Disposition"]
    )
    archive = zipfile.ZipFile(io.BytesIO(zipped.data))
    expected = {}
    for graduate in azeri:
        certificate = graduation.certificate_of(graduate.enrolment_id)
        expected[f"{certificate.holder_name} - {certificate.verification_code}.pdf"] = (
            certificate.pdf_sha256
        )
    assert {
        name: hashlib.sha256(archive.read(name)).hexdigest() for name in archive.namelist()
    } == expected
    assert make.count(AuditEvent, action="certificates.export_requested") == 1


def test_an_admin_names_the_administration(client, graduation, make, actors):
    admin = actors["admin"]
    course = graduation.course()
    graduation.graduate(graduation.trainee("GE"), course)

    unnamed = request_export(client, admin, course_id=course.id)
    named = request_export(client, admin, course_id=course.id, administration="ge")

    assert assert_problem(unnamed, 422)["errors"] == {
        "administration": ["Name the administration whose certificates to export."]
    }
    assert named.status_code == 202
    assert poll(client, admin, named.json["id"]).json["total"] == 1
    assert make.count(CertificateJob) == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"administration": "GE"}, 404),
        ({"administration": "XX"}, 404),
        ({"course_id": 999_999}, 404),
        ({"course_id": "nope"}, 422),
        ({"unknown": 1}, 422),
    ],
)
def test_a_contact_point_cannot_export_another_administration_or_a_missing_course(
    client, graduation, make, actors, body, status
):
    course = graduation.course()
    graduation.graduate(graduation.trainee("GE"), course)

    response = request_export(client, actors["contact_point"], **{"course_id": course.id, **body})

    assert_problem(response, status)
    assert make.count(CertificateJob) == 0
    assert make.count(AuditEvent, action="certificates.export_requested") == 0


def test_a_draft_course_does_not_exist_for_a_contact_point(client, graduation, make, actors):
    draft = graduation.course(status="draft")

    response = request_export(client, actors["contact_point"], course_id=draft.id)

    assert response.status_code == 404
    assert make.count(CertificateJob) == 0


def test_an_archived_course_still_exports(client, graduation, actors):
    course = graduation.course()
    graduation.graduate(course=course)
    with graduation.app.app_context():
        db.session.execute(update(Course).where(Course.id == course.id).values(status="archived"))
        db.session.commit()

    response = request_export(client, actors["contact_point"], course_id=course.id)

    assert poll(client, actors["contact_point"], response.json["id"]).json["total"] == 1


def test_another_administrations_export_does_not_exist(client, graduation, actors):
    course = graduation.course()
    job = request_export(client, actors["contact_point"], course_id=course.id).json

    assert poll(client, actors["other_contact_point"], job["id"]).status_code == 404
    assert poll(client, actors["trainee"], job["id"]).status_code == 404
    assert poll(client, actors["admin"], job["id"]).status_code == 200


def test_an_export_that_keeps_failing_is_marked_failed(client, graduation, actors, monkeypatch):
    course = graduation.course()
    graduation.graduate(course=course)

    def refuse(*_args, **_kwargs):
        raise StorageAuthError("http://s3.internal refused access")

    monkeypatch.setattr(graduation.app.extensions["elearn.storage"], "open", refuse)

    job = request_export(client, actors["contact_point"], course_id=course.id).json
    progress = poll(client, actors["contact_point"], job["id"]).json

    assert progress["status"] == "failed"
    assert progress["failure_reason"] == "The file store refused the platform's credentials."
    assert progress["download_url"] is None


def test_an_export_zip_is_deleted_after_the_retention_and_the_job_says_expired(
    app, client, graduation, actors, settings
):
    cp = actors["contact_point"]
    course = graduation.course()
    graduation.graduate(graduation.trainee(), course)
    job_id = request_export(client, cp, course_id=course.id).json["id"]
    with app.app_context():
        key = db.session.get(CertificateJob, job_id).object_key
        assert storage().exists(key)

    clock.freeze(clock.now() + timedelta(hours=settings.certificate_export_retention_hours + 1))
    try:
        with app.app_context():
            assert app.extensions["celery"].tasks["elearn.certificates.remove_old_exports"]() == 1
    finally:
        clock.freeze(None)

    job = poll(client, cp, job_id).json
    assert job["status"] == "expired"
    assert job.get("download_url") is None
    with app.app_context():
        assert not storage().exists(key)
