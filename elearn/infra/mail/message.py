"""One outgoing mail: its shape, its MIME rendering, the ``Mailer`` protocol every transport
keeps, and the two ways sending fails.

A failed send raises ``TemporaryMailError`` (worth retrying: connection refused, timeout, 4xx,
authentication or TLS trouble, which an operator can fix) or ``PermanentMailError`` (the server
refused this very message with a 5xx). Logs name the recipient and Message-ID, never a body
(bodies carry one-time links) and never a credential.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Protocol

from elearn import clock
from elearn.config import ConfigError

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


def sender_address(mail_from: str) -> Address:
    """``ELEARN_MAIL_FROM`` as an address; its domain also ends every Message-ID."""
    name, email = parseaddr(mail_from)
    if "@" not in email.strip("@"):
        raise ConfigError("ELEARN_MAIL_FROM must be an address such as 'elearn <no-reply@x.org>'")
    return address(name, email)


def unreachable(error: Exception) -> TemporaryMailError:
    """The transport could not be reached or written to: worth retrying."""
    return TemporaryMailError(f"{type(error).__name__}: {error}")
