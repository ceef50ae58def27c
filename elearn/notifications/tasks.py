"""The sending task: the only place mail leaves the platform."""

from __future__ import annotations

from celery import shared_task

from elearn.infra.mail import current_mailer
from elearn.notifications import digests, reminders, service


@shared_task(name=service.SEND_TASK)
def send_notification(notification_id: int) -> None:
    """Send one notification; a temporary failure schedules the next try (see retry_due)."""
    service.deliver(notification_id, current_mailer())


@shared_task(name="elearn.notifications.retry_due", max_retries=0)
def retry_due_notifications() -> int:
    """Beat-driven: send again the mail whose retry time has come."""
    return service.retry_due()


@shared_task(name="elearn.notifications.send_due_soon", max_retries=0)
def send_due_soon_reminders() -> int:
    """Beat-driven (hourly): "due soon" reminders whose moment has come."""
    return reminders.send_due_soon()


@shared_task(name="elearn.notifications.send_idle_nudges", max_retries=0)
def send_idle_nudges() -> int:
    """Beat-driven (hourly): nudges to trainees idle for their course's idle period."""
    return reminders.send_idle_nudges()


@shared_task(name="elearn.notifications.send_weekly_digests", max_retries=0)
def send_weekly_digests() -> int:
    """Beat-driven (hourly): the digests of contact points whose local day and hour is now."""
    return digests.send_weekly_digests()
