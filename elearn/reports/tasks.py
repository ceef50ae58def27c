"""Report tasks: rendering transcript PDFs (on the ``certificates`` queue)."""

from __future__ import annotations

from celery import Task, shared_task

from elearn.reports import transcript_documents


@shared_task(name=transcript_documents.RENDER_TASK, bind=True)
def render_transcript(self: Task, document_id: int) -> None:
    """Render and store one requested transcript PDF."""
    transcript_documents.render(
        document_id, last_attempt=bool(self.request.retries >= self.max_retries)
    )
