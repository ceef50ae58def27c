"""Outgoing mail: one message shape, sent over SMTP or written to the outbox folder.

``ELEARN_SMTP_URL`` chooses the transport: ``smtp://host:port`` (plain),
``smtp+starttls://user:pass@host:587`` or ``smtps://user:pass@host:465`` (implicit TLS). Empty
means the embedded default: every mail becomes an ``.eml`` file in ``instance/outbox/``.

A failed send raises ``TemporaryMailError`` (worth retrying: connection refused, timeout, 4xx,
authentication or TLS trouble, which an operator can fix) or ``PermanentMailError`` (the server
refused this very message with a 5xx). Logs name the recipient and Message-ID, never a body
(bodies carry one-time links) and never a credential.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import smtplib
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid, parseaddr
from enum import StrEnum
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from elearn import clock
from elearn.config import ConfigError, Settings

log = logging.getLogger(__name__)
MAX_REASON_LENGTH = 300


@dataclass(frozen=True)
class OutgoingMail:
    """One mail to one person. ``message_key`` makes a stable Message-ID, so a retry of the
    same mail carries the same Message-ID; without it a random one is made."""

    to: str
    subject: str
    text: str
    html: str | None = None
    to_name: str = ""
    message_key: str | None = None
    list_unsubscribe: str | None = None
    list_unsubscribe_post: str | None = None


class MailError(Exception):
    """Sending failed; ``reason`` is short, safe to store and holds no credential."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:MAX_REASON_LENGTH]


class TemporaryMailError(MailError):
    """The mail may go through later: retry it."""


class PermanentMailError(MailError):
    """The server refused this message for good: retrying would not help."""


class Mailer(Protocol):
    def send(self, message: OutgoingMail) -> None:
        """Hand the mail over, or raise TemporaryMailError / PermanentMailError."""

    def check(self) -> None:
        """Raise TemporaryMailError unless the transport is usable right now."""


def address(name: str, email: str) -> Address:
    """A mailbox; given as local part and domain, because ``Address(addr_spec=…)`` refuses the
    non-ASCII local parts that SMTPUTF8 carries."""
    local, _, domain = email.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


class _MailPolicy(EmailPolicy):
    """``email.policy.SMTP``, except that a non-ASCII Subject is encoded by ``Header``: the
    folding of Python 3.11 can drop the space between two RFC 2047 words ("elearn: задайте"
    arrives as "elearn:задайте")."""

    def _encoded_subject(self, name: str, value: str) -> str | None:
        text = str(value)
        if name.lower() != "subject" or self.utf8 or text.isascii():
            return None
        encoded = Header(text, "utf-8", header_name=name).encode(linesep=self.linesep)
        return f"{name}: {encoded}{self.linesep}"

    def fold(self, name: str, value: str) -> str:
        return self._encoded_subject(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        encoded = self._encoded_subject(name, value)
        return encoded.encode("ascii") if encoded else super().fold_binary(name, value)


# 7bit: non-ASCII bodies go out as base64 or quoted-printable, so no relay needs 8BITMIME.
MAIL_POLICY = _MailPolicy(linesep="\r\n", cte_type="7bit")


def build_message(mail: OutgoingMail, sender: Address) -> EmailMessage:
    """The MIME message: UTF-8 text, plus an HTML alternative when given."""
    # Non-ASCII headers become RFC 2047 words; smtplib switches to SMTPUTF8 (and this policy
    # to raw UTF-8 headers) on its own only when an address itself is not ASCII.
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = sender
    # A line break typed into a name or subject must not end the header.
    message["To"] = address(" ".join(mail.to_name.split()), mail.to)
    message["Subject"] = " ".join(mail.subject.split())
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = (
        f"<{mail.message_key}@{sender.domain}>"
        if mail.message_key
        else make_msgid(domain=sender.domain)
    )
    message["Auto-Submitted"] = "auto-generated"
    if mail.list_unsubscribe:
        message["List-Unsubscribe"] = mail.list_unsubscribe
    if mail.list_unsubscribe_post:
        message["List-Unsubscribe-Post"] = mail.list_unsubscribe_post
    message.set_content(mail.text, charset="utf-8")
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html", charset="utf-8")
    return message


class SmtpSecurity(StrEnum):
    PLAIN = "smtp"
    STARTTLS = "smtp+starttls"
    TLS = "smtps"


DEFAULT_PORTS = {SmtpSecurity.PLAIN: 25, SmtpSecurity.STARTTLS: 587, SmtpSecurity.TLS: 465}


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to reach the SMTP server; the password never appears in its repr."""

    security: SmtpSecurity
    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """Parse ``ELEARN_SMTP_URL``; errors name the variable but never repeat its value."""
        parts = urlsplit(url)
        try:
            security = SmtpSecurity(parts.scheme)
        except ValueError:
            raise ConfigError(
                "ELEARN_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://"
            ) from None
        try:
            port = parts.port or DEFAULT_PORTS[security]
        except ValueError:
            raise ConfigError("ELEARN_SMTP_URL has a port that is not a number") from None
        if not parts.hostname:
            raise ConfigError("ELEARN_SMTP_URL names no host")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ConfigError("ELEARN_SMTP_URL takes no path, query or fragment")
        username = unquote(parts.username or "")
        if username and security is SmtpSecurity.PLAIN:
            raise ConfigError(
                "ELEARN_SMTP_URL has credentials: use smtp+starttls:// or smtps:// so they "
                "never cross the network in clear text"
            )
        return cls(security, parts.hostname, port, username, unquote(parts.password or ""))


def _refusal(stage: str, code: int, reply: bytes | str) -> MailError:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    reason = f"{stage} refused: {code} {' '.join(text.split())}"
    return PermanentMailError(reason) if 500 <= code < 600 else TemporaryMailError(reason)


def _unreachable(error: Exception) -> TemporaryMailError:
    return TemporaryMailError(f"{type(error).__name__}: {error}")


class SendingPace:
    """At most ``rate`` mails per second from one process (0: no limit); callers wait."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


class SmtpMailer:
    """Sends over one SMTP connection per thread, kept open while mail keeps coming: the mails
    a worker sends in a row (a sweep's reminders, a bulk enrolment, the Monday digests) share it.
    A connection idle for ``KEEP_OPEN_SECONDS`` is closed before the next mail opens a new one,
    and one the server dropped is replaced once, transparently."""

    KEEP_OPEN_SECONDS = 10.0

    def __init__(
        self,
        server: SmtpServer,
        sender: Address,
        *,
        timeout: float,
        tls: ssl.SSLContext,
        rate_per_second: float = 0.0,
    ) -> None:
        self.server = server
        self.sender = sender
        self.timeout = timeout
        self.tls = tls
        self.pace = SendingPace(rate_per_second)
        self.connections_opened = 0
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"SmtpMailer({self.server!r})"

    def _connect(self) -> smtplib.SMTP:
        """A connection, encrypted when the URL asks for TLS, not yet authenticated."""
        server = self.server
        connection = (
            smtplib.SMTP_SSL(server.host, server.port, timeout=self.timeout, context=self.tls)
            if server.security is SmtpSecurity.TLS
            else smtplib.SMTP(server.host, server.port, timeout=self.timeout)
        )
        try:
            if server.security is SmtpSecurity.STARTTLS:
                connection.starttls(context=self.tls)
        except BaseException:
            connection.close()
            raise
        return connection

    @contextmanager
    def _session(self) -> Iterator[smtplib.SMTP]:
        with self._connect() as connection:
            yield connection

    def _open(self) -> smtplib.SMTP:
        connection = self._connect()
        if self.server.username:
            try:
                connection.login(self.server.username, self.server.password)
            except BaseException:
                connection.close()
                raise
        return connection

    def _kept_connection(self) -> tuple[smtplib.SMTP, bool]:
        """This thread's open connection if it was used lately, else a new one; and whether it
        is reused."""
        kept: smtplib.SMTP | None = getattr(self._local, "connection", None)
        last_used: float = getattr(self._local, "last_used", 0.0)
        if kept is not None and time.monotonic() - last_used < self.KEEP_OPEN_SECONDS:
            return kept, True
        self.close()
        self._local.connection = self._open()
        self.connections_opened += 1
        return self._local.connection, False

    def close(self) -> None:
        """Say QUIT on this thread's kept connection, if any."""
        kept: smtplib.SMTP | None = getattr(self._local, "connection", None)
        self._local.connection = None
        if kept is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                kept.quit()
            kept.close()

    def _deliver(self, email: EmailMessage) -> None:
        connection, reused = self._kept_connection()
        try:
            connection.send_message(email)
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            self.close()
            if not reused:
                raise
            # The server closed the idle connection meanwhile: one fresh one.
            connection, _ = self._kept_connection()
            connection.send_message(email)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError):
            # smtplib reset the transaction: the connection stays usable.
            self._local.last_used = time.monotonic()
            raise
        except BaseException:
            self.close()
            raise
        self._local.last_used = time.monotonic()

    def send(self, message: OutgoingMail) -> None:
        email = build_message(message, self.sender)
        self.pace.wait()
        try:
            self._deliver(email)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            raise _refusal("recipient", code, reply) from None
        except smtplib.SMTPSenderRefused as error:
            raise _refusal("sender", error.smtp_code, error.smtp_error) from None
        except smtplib.SMTPDataError as error:
            raise _refusal("message", error.smtp_code, error.smtp_error) from None
        except (smtplib.SMTPException, OSError) as error:
            raise _unreachable(error) from None
        log.info(
            "mail %s sent to %s through %s:%s",
            email["Message-ID"],
            message.to,
            self.server.host,
            self.server.port,
        )

    def check(self) -> None:
        try:
            with self._session() as connection:
                code, _reply = connection.noop()
        except (smtplib.SMTPException, OSError) as error:
            raise _unreachable(error) from None
        if code != 250:
            raise TemporaryMailError(f"NOOP answered {code}")


class OutboxMailer:
    """The embedded default: each mail is an ``.eml`` file, written atomically, readable only
    by its owner (it may hold a one-time link), and announced by one log line without body."""

    def __init__(self, folder: Path, sender: Address) -> None:
        self.folder = folder
        self.sender = sender

    def __repr__(self) -> str:
        return f"OutboxMailer({str(self.folder)!r})"

    def send(self, message: OutgoingMail) -> None:
        email = build_message(message, self.sender)
        name = f"{clock.now():%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, partial = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(email.as_bytes())
                os.replace(partial, self.folder / name)
            except BaseException:
                Path(partial).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise _unreachable(error) from None
        log.info("mail %s to %s written to outbox/%s", email["Message-ID"], message.to, name)

    def check(self) -> None:
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise _unreachable(error) from None
        if not os.access(self.folder, os.W_OK):
            raise TemporaryMailError(f"the outbox folder {self.folder} is not writable")


def sender_address(mail_from: str) -> Address:
    """``ELEARN_MAIL_FROM`` as an address; its domain also ends every Message-ID."""
    name, email = parseaddr(mail_from)
    if "@" not in email.strip("@"):
        raise ConfigError("ELEARN_MAIL_FROM must be an address such as 'elearn <no-reply@x.org>'")
    return address(name, email)


def tls_context(ca_file: str) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=ca_file or None)
    except (OSError, ssl.SSLError):
        raise ConfigError("ELEARN_SMTP_CA_FILE cannot be read as PEM certificates") from None


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


@click.group("mail")
def mail_cli() -> None:
    """Outgoing mail."""


@mail_cli.command("check")
@with_appcontext
def check_command() -> None:
    """Reach the mail transport now (SMTP NOOP, or the outbox folder) and say if it works."""
    mailer = current_mailer()
    try:
        mailer.check()
    except MailError as error:
        raise click.ClickException(f"{mailer!r} is not usable: {error.reason}") from None
    click.echo(f"{mailer!r}: ok")


def init_app(app: Flask, settings: Settings) -> None:
    """Build the mailer once at start-up, so a malformed setting stops the process early."""
    app.extensions["elearn.mailer"] = mailer_from_settings(settings)
    app.cli.add_command(mail_cli)
