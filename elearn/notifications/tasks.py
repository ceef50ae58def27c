"""The sending task: the only place mail leaves the platform."""

from __future__ import annotations

from celery import shared_task

from elearn.infra.mail import current_mailer
from elearn.notifications import service


@shared_task(name=service.SEND_TASK)
def send_notification(notification_id: int) -> None:
    """Send one notification; a temporary failure schedules the next try (see retry_due)."""
    service.deliver(notification_id, current_mailer())


@shared_task(name="elearn.notifications.retry_due", max_retries=0)
def retry_due_notifications() -> int:
    """Beat-driven: send again the mail whose retry time has come."""
    return service.retry_due()
