"""Background work of the quizzes domain, driven by Celery beat."""

from __future__ import annotations

from celery import shared_task

from elearn.quizzes.service import attempts


@shared_task(name="elearn.quizzes.expire_attempts")
def expire_attempts() -> int:
    """Finalise attempts whose deadline has passed (a batch per run; beat runs it every minute)."""
    return attempts.expire_overdue()
