"""The sending task: the only place mail leaves the platform."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from elearn import clock, uow
from elearn.infra.mail import TemporaryMailError, current_mailer
from elearn.notifications import service


@shared_task(bind=True, name=service.SEND_TASK)
def send_notification(self: Any, notification_id: int) -> None:
    """Send one notification; a temporary failure is recorded, then retried with backoff."""
    try:
        service.deliver(notification_id, current_mailer())
    except TemporaryMailError as error:
        countdown = get_exponential_backoff_interval(
            factor=self.retry_backoff,
            retries=self.request.retries,
            maximum=self.retry_backoff_max,
            full_jitter=self.retry_jitter,
        )
        service.schedule_retry(notification_id, clock.now() + timedelta(seconds=countdown))
        # The task's transaction rolls back when it raises; the attempt must stay counted.
        uow.current().commit()
        raise self.retry(exc=error, countdown=countdown) from None
