"""Transcript PDFs rendered in the background, in the officer's language.

Requesting writes a pending row and queues the rendering task in the same transaction
(outbox), on the ``certificates`` queue where PDF rendering scales. The task renders the
transcript as it stands then, stores it under the row's random key and marks the row ready; run
twice it renders the same row again, overwriting the same key. Downloads are short-lived URLs.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from elearn import clock
from elearn.accounts.models import User
from elearn.audit import service as audit_log
from elearn.database import locked
from elearn.errors import Conflict, NotFound
from elearn.extensions import db
from elearn.infra import outbox
from elearn.infra.storage import new_object_key, storage
from elearn.reports.models import DocumentStatus, TranscriptDocument
from elearn.reports.transcript import transcript
from elearn.reports.transcript_rendering import render_transcript

RENDER_TASK = "elearn.reports.render_transcript"
PDF_CONTENT_TYPE = "application/pdf"
DOWNLOAD_TTL = timedelta(minutes=5)


def request_pdf(actor: User, user: User) -> TranscriptDocument:
    """A pending PDF of ``user``'s transcript in their language, its rendering queued."""
    document = TranscriptDocument(
        user_id=user.id,
        requested_by_id=actor.id,
        language=user.language,
        status=DocumentStatus.PENDING,
        object_key=new_object_key("transcripts"),
    )
    db.session.add(document)
    db.session.flush()
    audit_log.record(
        actor,
        "transcript.pdf_requested",
        "transcript_document",
        document.id,
        administration_id=user.administration_id,
        user_id=user.id,
    )
    outbox.enqueue(RENDER_TASK, queue="certificates", document_id=document.id)
    return document


def render(document_id: int, *, last_attempt: bool) -> None:
    """Render and store one requested PDF; on the last failed attempt the row says why."""
    document = locked(select(TranscriptDocument).where(TranscriptDocument.id == document_id))
    if document is None or document.status == DocumentStatus.READY:
        return
    user = document.user
    try:
        pdf = render_transcript(
            transcript(user, document.language),
            user.administration.name(document.language) if user.administration else None,
            clock.now(),
        )
        stored = storage().put(document.object_key, pdf, PDF_CONTENT_TYPE)
    except Exception as error:
        if last_attempt:
            document.status = DocumentStatus.FAILED
            document.failure_reason = f"{type(error).__name__}: {error}"[:300]
            return
        raise
    document.pdf_size = stored.size
    document.status = DocumentStatus.READY
    document.rendered_at = clock.now()
    document.failure_reason = None


def find_document(user: User, document_id: int) -> TranscriptDocument:
    document = db.session.get(TranscriptDocument, document_id)
    if document is None or document.user_id != user.id:
        raise NotFound("No such transcript document.")
    return document


def download_url(document: TranscriptDocument) -> str:
    """A short-lived download URL of a ready PDF."""
    if document.status == DocumentStatus.FAILED:
        raise Conflict(f"This transcript could not be rendered: {document.failure_reason}")
    filename = f"transcript-{document.user_id}-{document.id}.pdf"
    return storage().presigned_download(
        document.object_key, DOWNLOAD_TTL, filename, PDF_CONTENT_TYPE
    )
