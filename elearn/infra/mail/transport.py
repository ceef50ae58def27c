"""Which transport this process sends through, chosen once from the settings."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from elearn.config import Settings
from elearn.infra.mail.message import Mailer, sender_address
from elearn.infra.mail.outbox import OutboxMailer
from elearn.infra.mail.smtp import SmtpMailer, SmtpServer, tls_context


def mailer_from_settings(settings: Settings) -> Mailer:
    """SMTP when ``ELEARN_SMTP_URL`` is set, the outbox folder otherwise."""
    sender = sender_address(settings.mail_from)
    if not settings.smtp_url:
        return OutboxMailer(Path(settings.instance_path) / "outbox", sender)
    return SmtpMailer(
        SmtpServer.from_url(settings.smtp_url),
        sender,
        timeout=settings.smtp_timeout_seconds,
        tls=tls_context(settings.smtp_ca_file),
        rate_per_second=settings.mail_rate_per_second,
    )


def current_mailer() -> Mailer:
    """The mailer of the running app (call inside an app context)."""
    mailer: Mailer = current_app.extensions["elearn.mailer"]
    return mailer
