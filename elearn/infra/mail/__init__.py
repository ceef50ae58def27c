"""Outgoing mail: one message shape, sent over SMTP or written to the outbox folder.

``ELEARN_SMTP_URL`` chooses the transport (``smtp.py``); empty means the embedded default, where
every mail becomes an ``.eml`` file in ``instance/outbox/`` (``outbox.py``). The message, the
``Mailer`` protocol and its errors are in ``message.py``; ``elearn mail`` is in ``cli.py``.
"""

from __future__ import annotations

from flask import Flask

from elearn.config import Settings
from elearn.infra.mail.cli import mail_cli
from elearn.infra.mail.message import (
    Mailer,
    MailError,
    OutgoingMail,
    PermanentMailError,
    TemporaryMailError,
    build_message,
)
from elearn.infra.mail.outbox import OutboxMailer
from elearn.infra.mail.smtp import SmtpMailer, SmtpSecurity, SmtpServer
from elearn.infra.mail.transport import current_mailer, mailer_from_settings

__all__ = [
    "MailError",
    "Mailer",
    "OutboxMailer",
    "OutgoingMail",
    "PermanentMailError",
    "SmtpMailer",
    "SmtpSecurity",
    "SmtpServer",
    "TemporaryMailError",
    "build_message",
    "current_mailer",
    "init_app",
    "mailer_from_settings",
]


def init_app(app: Flask, settings: Settings) -> None:
    """Build the mailer once at start-up, so a malformed setting stops the process early."""
    app.extensions["elearn.mailer"] = mailer_from_settings(settings)
    app.cli.add_command(mail_cli)
