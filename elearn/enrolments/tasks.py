"""Periodic work of the enrolments domain."""

from __future__ import annotations

from celery import shared_task

from elearn.enrolments.service import changes


@shared_task(name="elearn.enrolments.expire_overdue", max_retries=0)
def expire_overdue_enrolments() -> int:
    """Beat-driven: enrolments past their due date become expired."""
    return changes.expire_overdue()
