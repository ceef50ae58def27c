"""Work of the accounts domain that must not happen in the request."""

from __future__ import annotations

from celery import shared_task

from elearn.accounts import service


@shared_task(name=service.PASSWORD_RESET_TASK)
def send_password_reset(email: str) -> None:
    """Mail a set-password link if the address has an active account (decided here, so that
    the request answers alike for every address)."""
    service.send_password_reset(email)
