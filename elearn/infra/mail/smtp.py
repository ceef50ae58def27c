"""Sending over SMTP: ``ELEARN_SMTP_URL`` is ``smtp://host:port`` (plain),
``smtp+starttls://user:pass@host:587`` or ``smtps://user:pass@host:465`` (implicit TLS); one
connection per thread is kept open while mail keeps coming, at a configurable pace."""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from enum import StrEnum
from urllib.parse import unquote, urlsplit

from elearn.config import ConfigError
from elearn.infra.mail.message import (
    MailError,
    OutgoingMail,
    PermanentMailError,
    TemporaryMailError,
    build_message,
    unreachable,
)

log = logging.getLogger(__name__)


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
            raise unreachable(error) from None
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
            raise unreachable(error) from None
        if code != 250:
            raise TemporaryMailError(f"NOOP answered {code}")


def tls_context(ca_file: str) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=ca_file or None)
    except (OSError, ssl.SSLError):
        raise ConfigError("ELEARN_SMTP_CA_FILE cannot be read as PEM certificates") from None
