"""Periodic work of the enrolments domain."""

from __future__ import annotations

from celery import shared_task

from elearn.enrolments.service import changes, tallies


@shared_task(name="elearn.enrolments.expire_overdue", max_retries=0)
def expire_overdue_enrolments() -> int:
    """Beat-driven: enrolments past their due date become expired."""
    return changes.expire_overdue()


@shared_task(name="elearn.enrolments.reconcile_tallies", max_retries=0)
def reconcile_tallies() -> int:
    """Beat-driven, daily: correct the enrolment tallies that differ from a recount."""
    return tallies.reconcile()
