"""Transcript PDFs: requested, rendered in the background in the officer's language, downloaded."""

from __future__ import annotations

import io

from pypdf import PdfReader

from elearn.audit.models import AuditEvent
from elearn.infra.outbox import OutboxMessage
from elearn.reports.models import TranscriptDocument
from tests.reports.officers.builders import graded


def _russian_officer(client, actors):
    trainee = actors["trainee"]
    client.patch(
        f"/api/v1/users/{trainee.id}",
        json={"full_name": "Рашад Алиев", "language": "ru"},
        headers=actors["admin"].headers,
    )
    return trainee


def test_a_contact_point_asks_for_the_pdf_and_downloads_it_in_the_officers_language(
    app, client, make, actors, learning
):
    trainee = _russian_officer(client, actors)
    course = learning.course()
    enrolment = learning.enrol(trainee, course)
    graded(app, enrolment["id"], 88)
    headers = actors["contact_point"].headers

    requested = client.post(f"/api/v1/users/{trainee.id}/transcript/pdf", headers=headers)
    polled = client.get(requested.headers["Location"], headers=headers)
    pdf = client.get(polled.headers["Location"])

    assert requested.status_code == 202
    assert requested.get_json()["language"] == "ru"
    assert polled.status_code == 302
    assert polled.headers["Cache-Control"] == "no-store"
    assert pdf.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Выписка об обучении" in text
    assert "Рашад Алиев" in text
    assert "88 / 88" in text
    [document] = make.all(TranscriptDocument)
    assert (document.status, document.pdf_size) == ("ready", len(pdf.data))
    [message] = make.all(OutboxMessage, task="elearn.reports.render_transcript")
    assert message.queue == "certificates"
    assert make.count(AuditEvent, action="transcript.pdf_requested") == 1


def test_a_document_of_someone_else_is_404(client, make, actors):
    trainee = actors["trainee"]
    requested = client.post(f"/api/v1/users/{trainee.id}/transcript/pdf", headers=trainee.headers)
    document_id = requested.get_json()["id"]

    other = client.get(
        f"/api/v1/users/{actors['contact_point'].id}/transcript/pdf/{document_id}",
        headers=actors["contact_point"].headers,
    )
    stranger = client.get(
        f"/api/v1/users/{trainee.id}/transcript/pdf/{document_id}",
        headers=actors["other_contact_point"].headers,
    )

    assert other.status_code == 404
    assert stranger.status_code == 404
