"""Real SMTP servers for the tests: aiosmtpd on 127.0.0.1, keeping what they receive in memory.

Recipients whose address starts with ``refused`` get ``550`` at RCPT, ``busy`` gets ``451``,
``flaky`` gets ``451`` the first time only.
Every server offers SMTPUTF8 (internationalised addresses).
The TLS variants (STARTTLS and implicit TLS) require AUTH with ``USERNAME``/``PASSWORD`` and
present a certificate for 127.0.0.1 signed by a throwaway authority (``ca_file``).
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_string, policy
from email.message import EmailMessage
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOST = "127.0.0.1"
USERNAME = "mailer@elearn.test"
PASSWORD = "p@ss:w/rd%42"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return parse(self.raw)


def parse(raw: bytes) -> EmailMessage:
    """A received message; headers may be raw UTF-8 (SMTPUTF8), which the bytes parser mangles."""
    return cast(EmailMessage, message_from_string(raw.decode("utf-8"), policy=policy.default))


@dataclass
class Collector:
    """The aiosmtpd handler: refuses some recipients, keeps every accepted message."""

    received: list[Received] = field(default_factory=list)
    refused_once: set[str] = field(default_factory=set)
    greetings: int = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses) -> list[str]:
        """Counts EHLOs: one per connection (two with STARTTLS)."""
        self.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address.startswith("refused"):
            return "550 5.1.1 Mailbox unavailable"
        if address.startswith("busy") or (
            address.startswith("flaky") and address not in self.refused_once
        ):
            self.refused_once.add(address)
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        raw = envelope.original_content or envelope.content
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), raw))
        return "250 Message accepted"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    valid = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode() == USERNAME and auth_data.password.decode() == PASSWORD
    )
    return AuthResult(success=valid, handled=False)


@dataclass
class SmtpTestServer:
    scheme: str
    controller: Controller
    collector: Collector
    ca_file: str = ""

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def url(self, username: str = "", password: str = "") -> str:
        credentials = f"{quote(username, safe='')}:{quote(password, safe='')}@" if username else ""
        return f"{self.scheme}://{credentials}{HOST}:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.collector.received

    @property
    def messages(self) -> list[EmailMessage]:
        return [received.message for received in self.collector.received]

    def stop(self) -> None:
        self.controller.stop()


def free_port() -> int:
    """A port nothing listens on (a connection to it is refused)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def silent_listener() -> socket.socket:
    """Accepts TCP connections (in the kernel backlog) and never says a word: a hung server."""
    return socket.create_server((HOST, 0), backlog=16)


def write_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(authority PEM, server certificate PEM, server key PEM) for 127.0.0.1 and localhost."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "elearn test authority")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(IPv4Address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=not cert_sign,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def start(scheme: str, certificates: tuple[Path, Path, Path] | None = None) -> SmtpTestServer:
    """Start a server of ``scheme`` (smtp, smtp+starttls or smtps) on a free port."""
    collector = Collector()
    options: dict[str, Any] = {"enable_SMTPUTF8": True}
    ca_file = ""
    if scheme != "smtp":
        assert certificates is not None
        ca_file = str(certificates[0])
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(certificates[1], certificates[2])
        options.update(authenticator=_authenticate, auth_required=True)
        if scheme == "smtps":
            # aiosmtpd only counts STARTTLS as TLS; this connection is encrypted from the start.
            options.update(ssl_context=tls, auth_require_tls=False)
        else:
            options.update(tls_context=tls, require_starttls=True, auth_require_tls=True)
    controller = Controller(collector, hostname=HOST, port=free_port(), **options)
    controller.start()
    return SmtpTestServer(scheme, controller, collector, ca_file)


@dataclass
class OutboxFolder:
    """The outbox mailer's folder, read like a mailbox."""

    folder: Path

    @property
    def files(self) -> list[Path]:
        return sorted(self.folder.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)

    @property
    def messages(self) -> list[EmailMessage]:
        return [parse(path.read_bytes()) for path in self.files]


def body(message: EmailMessage, subtype: str) -> str:
    """The decoded ``text/<subtype>`` part, line endings normalised (MIME uses CRLF)."""
    part = message.get_body((subtype,))
    assert part is not None, f"no text/{subtype} part"
    return str(part.get_content()).replace("\r\n", "\n")
