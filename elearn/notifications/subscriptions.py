"""What the signals of lower domains mean for mail: each receiver queues or cancels mail."""

from __future__ import annotations

from elearn import clock
from elearn.accounts.models import User
from elearn.accounts.signals import set_password_link_requested
from elearn.enrolments.signals import due_date_changed, enrolment_expired, enrolment_started
from elearn.notifications import reminders, service

RESET_MAIL_WINDOW_SECONDS = 300


def mail_set_password_link(user: User, *, purpose: str) -> None:
    """One welcome mail per account; at most one reset mail per account per window, so a
    stranger repeating password-reset requests cannot flood someone's mailbox."""
    dedupe_key = f"set_password:{purpose}:{user.id}"
    if purpose == "reset":
        window = int(clock.now().timestamp()) // RESET_MAIL_WINDOW_SECONDS
        dedupe_key = f"{dedupe_key}:{window}"
    service.notify(user, "set_password", {"purpose": purpose}, dedupe_key)


def connect() -> None:
    """Subscribe the receivers (idempotent: blinker keeps one connection per receiver)."""
    set_password_link_requested.connect(mail_set_password_link, weak=False)
    enrolment_started.connect(reminders.mail_enrolled, weak=False)
    due_date_changed.connect(reminders.cancel_old_date_reminders, weak=False)
    enrolment_expired.connect(reminders.mail_overdue, weak=False)
