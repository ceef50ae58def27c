"""Revocation, reissue after a name correction, and re-rendering a course's certificates."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from elearn.accounts.models import Role
from elearn.audit.models import AuditEvent
from elearn.certificates.models import Certificate, CertificateJob, CertificateStatus
from elearn.certificates.service import issuing, jobs
from elearn.extensions import db
from elearn.infra.outbox import OutboxMessage
from elearn.notifications.models import Notification
from tests.certificates.conftest import stored_keys
from tests.http import assert_problem


@pytest.fixture
def admin(make):
    return make.user(Role.ADMIN, administration=None)


def post(client, person, path: str, body: dict | None = None):
    return client.post(f"/api/v1{path}", json=body or {}, headers=person.headers)


def test_an_admin_revokes_with_a_reason_once(client, graduation, make, admin, frozen):
    graduate = graduation.graduate()

    first = post(client, admin, f"/certificates/{graduate.public_id}/revoke", {"reason": "Fraud"})
    second = post(client, admin, f"/certificates/{graduate.public_id}/revoke", {"reason": "Again"})

    assert first.status_code == 200
    assert first.json["status"] == "revoked"
    assert first.json["revoked_at"] == "2030-03-01T09:00:00+00:00"
    assert assert_problem(second, 409)["detail"] == "This certificate is already revoked."
    revoked = graduation.certificate_of(graduate.enrolment_id)
    assert (revoked.status, revoked.revocation_reason) == (CertificateStatus.REVOKED, "Fraud")
    [event] = _events(make, "certificate.revoked")
    assert event.object_id == graduate.public_id
    assert event.details["reason"] == "Fraud"
    assert event.actor_id == admin.id
    pdf = client.get(
        f"/api/v1/certificates/{graduate.public_id}/pdf", headers=graduate.person.headers
    )
    assert pdf.status_code == 409


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x" * 501}, {"why": "x"}])
def test_a_revocation_needs_a_reason(client, graduation, make, admin, body):
    graduate = graduation.graduate()

    response = post(client, admin, f"/certificates/{graduate.public_id}/revoke", body)

    assert_problem(response, 422)
    assert graduation.certificate_of(graduate.enrolment_id).status == CertificateStatus.ISSUED
    assert make.count(AuditEvent, action="certificate.revoked") == 0


def test_a_reissue_after_a_name_correction_supersedes_the_old_certificate(
    client, graduation, make, admin, media
):
    trainee = graduation.trainee(full_name="Aliev Rashad")
    graduate = graduation.graduate(trainee)
    old = graduation.certificate_of(graduate.enrolment_id)
    fixed = client.patch(
        f"/api/v1/users/{trainee.id}", json={"full_name": "Rashad Aliyev"}, headers=admin.headers
    )
    assert fixed.status_code == 200

    response = post(
        client, admin, f"/certificates/{graduate.public_id}/reissue", {"reason": "Name corrected"}
    )

    assert response.status_code == 202
    assert response.json["status"] == "pending"
    [superseded, new] = graduation.certificates(graduate.enrolment_id)
    assert superseded.status == CertificateStatus.SUPERSEDED
    assert new.status == CertificateStatus.ISSUED
    assert response.json["public_id"] == new.public_id
    assert new.holder_name == "Rashad Aliyev"
    assert (new.course_title, new.completed_on) == (old.course_title, old.completed_on)
    assert new.verification_code != old.verification_code
    assert new.public_id != old.public_id
    assert new.pdf_key != old.pdf_key
    assert new.pdf_sha256 != old.pdf_sha256
    assert old.pdf_key not in stored_keys(media)
    assert new.pdf_key in stored_keys(media)
    assert client.get(f"/verify/{new.verification_code}").json["holder_name"] == "Rashad Aliyev"
    assert client.get(f"/verify/{old.verification_code}").json["status"] == "superseded"
    mine = client.get("/api/v1/me/certificates", headers=trainee.headers).json
    assert [item["public_id"] for item in mine] == [new.public_id]
    old_view = client.get(f"/api/v1/certificates/{old.public_id}", headers=trainee.headers)
    assert old_view.json["status"] == "superseded"
    assert make.count(Notification, kind="certificate_issued") == 2
    [event] = _events(make, "certificate.reissued")
    assert event.details == {
        "reason": "Name corrected",
        "replacement": new.public_id,
        "name_changed": True,
        "user_id": trainee.id,
        "course_id": graduate.course.id,
    }


def test_a_reissue_may_name_the_holder_itself(client, graduation, admin):
    graduate = graduation.graduate()

    response = post(
        client,
        admin,
        f"/certificates/{graduate.public_id}/reissue",
        {"reason": "Transliteration", "holder_name": "Рашад Алиев"},
    )

    assert response.json["holder_name"] == "Рашад Алиев"


@pytest.mark.parametrize("status", ["revoked", "pending", "failed", "superseded"])
def test_only_an_issued_certificate_can_be_reissued(client, graduation, make, admin, media, status):
    graduate = graduation.graduate()
    graduation.change(graduate.public_id, status=status)
    before = (make.count(Certificate), make.count(AuditEvent), stored_keys(media))

    response = post(
        client, admin, f"/certificates/{graduate.public_id}/reissue", {"reason": "Name corrected"}
    )

    assert assert_problem(response, 409)["detail"] == (
        f"Only an issued certificate can be reissued; this one is {status}."
    )
    assert (make.count(Certificate), make.count(AuditEvent), stored_keys(media)) == before
    assert graduation.certificate_of(graduate.enrolment_id).status == status


def test_a_superseded_certificate_cannot_be_revoked(client, graduation, make, admin):
    graduate = graduation.graduate()
    post(client, admin, f"/certificates/{graduate.public_id}/reissue", {"reason": "Name"})

    response = post(client, admin, f"/certificates/{graduate.public_id}/revoke", {"reason": "x"})

    assert response.status_code == 409
    assert make.count(AuditEvent, action="certificate.revoked") == 0


def _events(make, action: str) -> list[AuditEvent]:
    with make.app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return rows


def _new_layout(monkeypatch) -> None:
    """A change of the certificate's layout: every PDF comes out different."""
    original = issuing.render_certificate

    def render(content, issuer):
        return original(content, issuer) + b"\n% layout 2\n"

    monkeypatch.setattr(issuing, "render_certificate", render)


def test_an_admin_renders_a_courses_certificates_again_in_chunks(
    client, graduation, make, admin, media, monkeypatch
):
    course = graduation.course()
    graduates = [graduation.graduate(course=course) for _ in range(5)]
    post(client, admin, f"/certificates/{graduates[0].public_id}/revoke", {"reason": "Fraud"})
    other_course = graduation.graduate()
    before = {g.public_id: graduation.by_public_id(g.public_id) for g in graduates}
    keys_before = stored_keys(media)
    monkeypatch.setattr(jobs, "RERENDER_CHUNK", 2)
    _new_layout(monkeypatch)

    response = post(client, admin, f"/courses/{course.id}/certificates/rerender")

    assert response.status_code == 202
    progress = client.get(
        f"/api/v1/certificates/rerenders/{response.json['id']}", headers=admin.headers
    ).json
    assert {k: progress[k] for k in ("kind", "status", "total", "done", "failed")} == {
        "kind": "rerender",
        "status": "done",
        "total": 4,
        "done": 4,
        "failed": 0,
    }
    assert stored_keys(media) == keys_before
    for graduate in graduates[1:]:
        now = graduation.by_public_id(graduate.public_id)
        assert now.pdf_key == before[graduate.public_id].pdf_key
        assert now.pdf_sha256 != before[graduate.public_id].pdf_sha256
        stored = (media / now.pdf_key).read_bytes()
        assert stored.endswith(b"% layout 2\n")
        assert hashlib.sha256(stored).hexdigest() == now.pdf_sha256
        assert now.credential == before[graduate.public_id].credential
    revoked = graduation.by_public_id(graduates[0].public_id)
    assert revoked.pdf_sha256 == before[graduates[0].public_id].pdf_sha256
    assert graduation.by_public_id(other_course.public_id).pdf_sha256 == (
        graduation.certificate_of(other_course.enrolment_id).pdf_sha256
    )
    assert make.count(AuditEvent, action="certificates.rerender_requested") == 1
    assert make.count(OutboxMessage, task=jobs.RERENDER_TASK) == 3


def test_a_certificate_that_cannot_be_rendered_again_is_counted_and_keeps_its_pdf(
    client, graduation, admin, monkeypatch
):
    course = graduation.course()
    kept, broken = graduation.graduate(course=course), graduation.graduate(course=course)
    old = {g.public_id: graduation.by_public_id(g.public_id).pdf_sha256 for g in (kept, broken)}
    original = issuing.render_certificate

    def render(content, issuer):
        if content.verification_code == broken.code:
            raise ValueError("cannot lay this out")
        return original(content, issuer) + b"\n% layout 2\n"

    monkeypatch.setattr(issuing, "render_certificate", render)

    job = post(client, admin, f"/courses/{course.id}/certificates/rerender").json
    progress = client.get(f"/api/v1/certificates/rerenders/{job['id']}", headers=admin.headers)

    assert (progress.json["done"], progress.json["failed"]) == (1, 1)
    assert graduation.by_public_id(broken.public_id).pdf_sha256 == old[broken.public_id]
    assert graduation.by_public_id(kept.public_id).pdf_sha256 != old[kept.public_id]


def test_a_rerender_job_is_polled_as_a_rerender_only(client, graduation, make, admin):
    course = graduation.course()
    job = post(client, admin, f"/courses/{course.id}/certificates/rerender").json

    as_export = client.get(f"/api/v1/certificates/exports/{job['id']}", headers=admin.headers)

    assert as_export.status_code == 404
    assert make.count(CertificateJob) == 1
    missing = post(client, admin, "/courses/999999/certificates/rerender")
    assert missing.status_code == 404
    assert make.count(CertificateJob) == 1
