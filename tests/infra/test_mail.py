"""The mailers against a real SMTP server (aiosmtpd) and the outbox folder."""

from __future__ import annotations

import logging
import socket
import stat
import time
from email.utils import parsedate_to_datetime

import pytest

from elearn.config import ConfigError
from elearn.infra.mail import (
    OutboxMailer,
    OutgoingMail,
    PermanentMailError,
    SmtpMailer,
    SmtpSecurity,
    SmtpServer,
    TemporaryMailError,
)
from tests import mailserver
from tests.mailserver import PASSWORD, USERNAME, body

SECRET = "hunter2-never-shown"
CYRILLIC_SUBJECT = "Добро пожаловать: курс «Таможенная оценка»"
TEXT = "Здравствуйте, Пётр!\nВаш курс ждёт вас: https://elearn.test/courses/7\n"
HTML = "<p>Здравствуйте, <b>Пётр</b>!</p>"


def cyrillic_mail(**changes) -> OutgoingMail:
    values = {
        "to": "petr@customs.test",
        "to_name": "Пётр Иванов",
        "subject": CYRILLIC_SUBJECT,
        "text": TEXT,
        "html": HTML,
    }
    return OutgoingMail(**{**values, **changes})


def raw_header(raw: bytes, name: str) -> str:
    """A header as it crossed the wire (folded lines joined), before any decoding."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ")
    for line in unfolded.split("\r\n"):
        if line.lower().startswith(name.lower() + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {name} header")


# configuration


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mailpit:1025", SmtpServer(SmtpSecurity.PLAIN, "mailpit", 1025)),
        ("smtp://relay.example.org", SmtpServer(SmtpSecurity.PLAIN, "relay.example.org", 25)),
        (
            "smtp+starttls://bot%40elearn.org:p%40ss%3Aw%2Frd@smtp.example.org:587",
            SmtpServer(
                SmtpSecurity.STARTTLS, "smtp.example.org", 587, "bot@elearn.org", "p@ss:w/rd"
            ),
        ),
        (
            "smtps://apikey:s3cret@smtp.example.org",
            SmtpServer(SmtpSecurity.TLS, "smtp.example.org", 465, "apikey", "s3cret"),
        ),
    ],
)
def test_smtp_url_forms(url, expected):
    assert SmtpServer.from_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        f"ftp://user:{SECRET}@mail.example.org",
        f"smtp+ssl://user:{SECRET}@mail.example.org",
        f"smtp://user:{SECRET}@mail.example.org",
        f"smtps://user:{SECRET}@mail.example.org:port",
        f"smtps://user:{SECRET}@mail.example.org/inbox",
        "smtps://",
    ],
)
def test_bad_smtp_url_stops_start_up_naming_the_variable_but_not_the_password(
    url, settings, reconfigure
):
    with pytest.raises(ConfigError) as raised:
        reconfigure(smtp_url=url)

    assert "ELEARN_SMTP_URL" in str(raised.value)
    assert SECRET not in str(raised.value)


def test_bad_sender_and_unreadable_authority_file_are_config_errors(reconfigure, tmp_path):
    with pytest.raises(ConfigError, match="ELEARN_MAIL_FROM"):
        reconfigure(mail_from="elearn")
    with pytest.raises(ConfigError, match="ELEARN_SMTP_CA_FILE"):
        reconfigure(smtp_url="smtps://mail.example.org", smtp_ca_file=str(tmp_path / "none.pem"))


def test_mailer_is_chosen_by_settings_and_never_shows_its_password(reconfigure, tmp_path):
    outbox = reconfigure(smtp_url="", instance_path=str(tmp_path))
    smtp = reconfigure(smtp_url=f"smtps://user:{SECRET}@mail.example.org")

    assert isinstance(outbox, OutboxMailer)
    assert outbox.folder == tmp_path / "outbox"
    assert isinstance(smtp, SmtpMailer)
    assert SECRET not in repr(smtp)
    assert SECRET not in repr(smtp.server)


# SMTP


def test_smtp_sends_utf8_multipart_with_encoded_headers(smtp_server, reconfigure):
    mailer = reconfigure(smtp_url=smtp_server.url(), mail_from="elearn <no-reply@elearn.test>")

    mailer.send(
        cyrillic_mail(
            message_key="notification.7.20260101",
            list_unsubscribe="<https://elearn.test/unsubscribe/abc>",
            list_unsubscribe_post="List-Unsubscribe=One-Click",
        )
    )

    [received] = smtp_server.received
    assert received.mail_from == "no-reply@elearn.test"
    assert received.rcpt_tos == ["petr@customs.test"]
    assert raw_header(received.raw, "Subject").startswith("=?utf-8?")
    assert received.raw.isascii()
    message = received.message
    assert message["Subject"] == CYRILLIC_SUBJECT
    assert message["From"].addresses[0].addr_spec == "no-reply@elearn.test"
    assert message["To"].addresses[0].display_name == "Пётр Иванов"
    assert message["To"].addresses[0].addr_spec == "petr@customs.test"
    assert message["Message-ID"] == "<notification.7.20260101@elearn.test>"
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["List-Unsubscribe"] == "<https://elearn.test/unsubscribe/abc>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    assert body(message, "plain") == TEXT
    assert body(message, "html").strip() == HTML
    assert message.get_body(("plain",)).get_content_charset() == "utf-8"


def test_smtp_message_without_options_has_a_random_message_id_and_no_list_headers(
    smtp_server, reconfigure
):
    mailer = reconfigure(smtp_url=smtp_server.url())

    mailer.send(cyrillic_mail(html=None))
    mailer.send(cyrillic_mail(html=None))

    first, second = smtp_server.messages
    assert first["Message-ID"] != second["Message-ID"]
    assert first["Message-ID"].endswith("@elearn.localhost>")
    assert "List-Unsubscribe" not in first
    assert first.get_content_type() == "text/plain"
    assert body(first, "plain") == TEXT


def test_line_breaks_in_names_and_subjects_cannot_add_headers(smtp_server, reconfigure):
    mailer = reconfigure(smtp_url=smtp_server.url())

    mailer.send(
        cyrillic_mail(to_name="Пётр\r\nBcc: spy@evil.test", subject="Привет\nBcc: spy@evil.test")
    )

    [received] = smtp_server.received
    assert received.rcpt_tos == ["petr@customs.test"]
    assert "Bcc" not in received.message
    assert received.message["Subject"] == "Привет Bcc: spy@evil.test"


def test_internationalised_address_goes_out_with_smtputf8(smtp_server, reconfigure):
    mailer = reconfigure(smtp_url=smtp_server.url())

    mailer.send(cyrillic_mail(to="пётр@таможня.test"))

    [received] = smtp_server.received
    assert received.rcpt_tos == ["пётр@таможня.test"]
    assert received.message["To"].addresses[0].addr_spec == "пётр@таможня.test"
    assert received.message["Subject"] == CYRILLIC_SUBJECT


@pytest.mark.parametrize("scheme", ["smtp+starttls", "smtps"])
def test_tls_servers_with_authentication(scheme, smtp_server, smtp_servers, reconfigure):
    server = smtp_servers[scheme]
    mailer = reconfigure(smtp_url=server.url(USERNAME, PASSWORD), smtp_ca_file=server.ca_file)

    mailer.check()
    mailer.send(cyrillic_mail())

    assert [message["Subject"] for message in server.messages] == [CYRILLIC_SUBJECT]


@pytest.mark.parametrize("scheme", ["smtp+starttls", "smtps"])
def test_wrong_password_is_temporary_and_names_no_credential(
    scheme, smtp_server, smtp_servers, reconfigure
):
    server = smtp_servers[scheme]
    mailer = reconfigure(smtp_url=server.url(USERNAME, SECRET), smtp_ca_file=server.ca_file)

    with pytest.raises(TemporaryMailError) as raised:
        mailer.send(cyrillic_mail())

    assert "535" in raised.value.reason
    assert SECRET not in raised.value.reason
    assert USERNAME not in raised.value.reason
    assert server.received == []


def test_untrusted_certificate_is_refused(smtp_server, smtp_servers, reconfigure):
    server = smtp_servers["smtps"]
    mailer = reconfigure(smtp_url=server.url(USERNAME, PASSWORD))

    with pytest.raises(TemporaryMailError, match="CERTIFICATE_VERIFY_FAILED"):
        mailer.send(cyrillic_mail())
    assert server.received == []


def test_refused_recipient_is_permanent_with_the_servers_reason(smtp_server, reconfigure):
    mailer = reconfigure(smtp_url=smtp_server.url())

    with pytest.raises(PermanentMailError) as raised:
        mailer.send(cyrillic_mail(to="refused-petr@customs.test"))

    assert raised.value.reason == "recipient refused: 550 5.1.1 Mailbox unavailable"
    assert smtp_server.received == []


def test_busy_recipient_is_temporary(smtp_server, reconfigure):
    mailer = reconfigure(smtp_url=smtp_server.url())

    with pytest.raises(TemporaryMailError, match="451"):
        mailer.send(cyrillic_mail(to="busy-petr@customs.test"))


def test_unreachable_and_silent_servers_are_temporary(reconfigure, silent_smtp_url):
    refused = reconfigure(smtp_url=f"smtp://{mailserver.HOST}:{mailserver.free_port()}")
    silent = reconfigure(smtp_url=silent_smtp_url, smtp_timeout_seconds=0.2)

    with pytest.raises(TemporaryMailError, match="ConnectionRefusedError"):
        refused.send(cyrillic_mail())
    with pytest.raises(TemporaryMailError, match="timed out"):
        silent.send(cyrillic_mail())
    with pytest.raises(TemporaryMailError):
        refused.check()


def test_mail_check_command_reports_the_transport(app, smtp_server, reconfigure):
    runner = app.test_cli_runner()

    reconfigure(smtp_url=smtp_server.url())
    working = runner.invoke(args=["mail", "check"])
    reconfigure(smtp_url=f"smtps://user:{SECRET}@{mailserver.HOST}:{mailserver.free_port()}")
    broken = runner.invoke(args=["mail", "check"])

    assert working.exit_code == 0
    assert working.output.endswith(": ok\n")
    assert broken.exit_code == 1
    assert "is not usable: ConnectionRefusedError" in broken.output
    assert SECRET not in broken.output


# outbox folder


def test_outbox_writes_one_private_eml_file_and_logs_one_line_without_body(
    reconfigure, tmp_path, caplog
):
    mailer = reconfigure(smtp_url="", instance_path=str(tmp_path))
    outbox = mailserver.OutboxFolder(tmp_path / "outbox")

    with caplog.at_level(logging.INFO, logger="elearn.infra.mail"):
        mailer.send(cyrillic_mail(message_key="notification.9.1"))

    [path] = outbox.files
    assert list(outbox.folder.iterdir()) == [path]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    [message] = outbox.messages
    assert message["Subject"] == CYRILLIC_SUBJECT
    assert message["Message-ID"] == "<notification.9.1@elearn.localhost>"
    assert body(message, "plain") == TEXT
    [record] = caplog.records
    assert "petr@customs.test" in record.getMessage()
    assert path.name in record.getMessage()
    assert "elearn.test/courses" not in record.getMessage()
    assert "Пётр" not in record.getMessage()


def test_outbox_that_cannot_be_written_is_a_temporary_error(reconfigure, tmp_path):
    (tmp_path / "outbox").write_text("a file where the folder should be")
    mailer = reconfigure(smtp_url="", instance_path=str(tmp_path))

    with pytest.raises(TemporaryMailError):
        mailer.send(cyrillic_mail())
    with pytest.raises(TemporaryMailError):
        mailer.check()


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_mail_sent_in_a_row_shares_one_connection_even_past_a_refusal(
    scheme, smtp_server, smtp_servers, reconfigure
):
    server = smtp_servers[scheme]
    credentials = (USERNAME, PASSWORD) if scheme != "smtp" else ()
    mailer = reconfigure(smtp_url=server.url(*credentials), smtp_ca_file=server.ca_file)

    mailer.send(cyrillic_mail(to="one@customs.test"))
    with pytest.raises(PermanentMailError):
        mailer.send(cyrillic_mail(to="refused-two@customs.test"))
    with pytest.raises(TemporaryMailError):
        mailer.send(cyrillic_mail(to="busy-three@customs.test"))
    mailer.send(cyrillic_mail(to="four@customs.test"))
    assert isinstance(mailer, SmtpMailer)
    mailer.close()

    assert [r.rcpt_tos for r in server.received] == [["one@customs.test"], ["four@customs.test"]]
    assert (mailer.connections_opened, server.collector.greetings) == (1, 1)


def test_a_connection_idle_too_long_is_replaced(smtp_server, reconfigure, monkeypatch):
    mailer = reconfigure(smtp_url=smtp_server.url())
    monkeypatch.setattr(SmtpMailer, "KEEP_OPEN_SECONDS", 0.0)

    mailer.send(cyrillic_mail(to="one@customs.test"))
    mailer.send(cyrillic_mail(to="two@customs.test"))

    assert len(smtp_server.received) == 2
    assert smtp_server.collector.greetings == 2


def test_a_connection_the_server_dropped_is_replaced_once(smtp_server, reconfigure):
    mailer = reconfigure(smtp_url=smtp_server.url())
    assert isinstance(mailer, SmtpMailer)
    mailer.send(cyrillic_mail(to="one@customs.test"))
    # As if the server had timed the idle connection out.
    mailer._local.connection.sock.shutdown(socket.SHUT_RDWR)

    mailer.send(cyrillic_mail(to="two@customs.test"))

    assert len(smtp_server.received) == 2
    assert mailer.connections_opened == 2


def test_the_sending_rate_is_respected(smtp_server, reconfigure):
    mailer = reconfigure(smtp_url=smtp_server.url(), mail_rate_per_second=20.0)
    started = time.monotonic()

    for number in range(5):
        mailer.send(cyrillic_mail(to=f"officer{number}@customs.test"))

    # Five mails at 20 per second leave four gaps of 50 ms at least.
    assert time.monotonic() - started >= 0.2
    assert len(smtp_server.received) == 5
