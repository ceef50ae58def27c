"""Reachability of the Celery broker, for the readiness probe and the outbox sweeper."""

from __future__ import annotations

from celery import Celery


def check_broker(celery_app: Celery) -> None:
    """Raise unless a connection to the broker opens now; one attempt, no retry."""
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=0)


def broker_reachable(celery_app: Celery) -> bool:
    """True in eager mode (there is no broker), else whether ``check_broker`` succeeds."""
    if celery_app.conf.task_always_eager:
        return True
    try:
        check_broker(celery_app)
    except Exception:
        return False
    return True
