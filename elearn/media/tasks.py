"""Background work of the media domain."""

from __future__ import annotations

from celery import shared_task

from elearn.media import service


@shared_task(name="elearn.media.remove_stale_uploads", max_retries=0)
def remove_stale_uploads() -> int:
    """Beat-driven: remove uploads never completed (the next beat is the retry)."""
    return service.remove_stale_uploads()
