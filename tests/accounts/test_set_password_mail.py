"""Set-password links arrive by mail, once, and work (on SMTP and in the outbox folder)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from elearn import clock
from elearn.accounts.models import Role
from elearn.extensions import db
from elearn.infra.outbox import OutboxMessage
from elearn.notifications.models import Notification, NotificationStatus
from tests import mailserver
from tests.mailserver import body

LINK = re.compile(r"http://elearn\.test/set-password\?token=[\w.\-]+")
NEW_PASSWORD = "a long new secret phrase"


def link_in(message) -> str:
    """The one link of the mail, the same in its text and HTML parts."""
    links = set(LINK.findall(body(message, "plain")))
    assert links == set(LINK.findall(body(message, "html")))
    [link] = links
    return link


def set_password(client, link: str):
    token = parse_qs(urlsplit(link).query)["token"][0]
    return client.post("/api/v1/auth/set-password", json={"token": token, "password": NEW_PASSWORD})


def rows(make, model) -> list:
    with make.app.app_context():
        found = db.session.scalars(select(model).order_by(model.id)).all()
        db.session.expunge_all()
        return list(found)


def assert_token_is_stored_nowhere(make, link: str) -> None:
    token = parse_qs(urlsplit(link).query)["token"][0]
    stored = [vars(row) for model in (Notification, OutboxMessage) for row in rows(make, model)]
    assert stored
    assert token not in repr(stored)


def test_new_account_without_password_gets_one_welcome_mail_whose_link_works(client, make, mailbox):
    admin = make.user(Role.ADMIN, administration=None)
    make.administration("AZ")

    created = client.post(
        "/api/v1/users",
        json={
            "email": "aliyev@customs.test",
            "full_name": "Рашад Алиев",
            "language": "ru",
            "administration": "AZ",
        },
        headers=admin.headers,
    )

    assert created.status_code == 201
    [message] = mailbox.messages
    assert message["To"].addresses[0].addr_spec == "aliyev@customs.test"
    assert message["Subject"] == "Добро пожаловать в elearn: задайте пароль"
    assert "Рашад Алиев" in body(message, "plain")
    link = link_in(message)
    assert_token_is_stored_nowhere(make, link)
    [notification] = rows(make, Notification)
    assert notification.context == {"purpose": "welcome"}
    assert notification.status == NotificationStatus.SENT

    assert set_password(client, link).status_code == 204
    login = client.post(
        "/api/v1/auth/login", json={"email": "aliyev@customs.test", "password": NEW_PASSWORD}
    )
    assert login.status_code == 200
    assert set_password(client, link).status_code == 401


def test_password_reset_mails_one_working_link_and_refuses_to_flood(client, make, mailbox):
    person = make.user()

    first = client.post("/api/v1/auth/password-reset", json={"email": person.email.upper()})
    again = client.post("/api/v1/auth/password-reset", json={"email": person.email})

    assert first.status_code == again.status_code == 202
    [message] = mailbox.messages
    assert message["Subject"] == "Reset your elearn password"
    link = link_in(message)
    assert_token_is_stored_nowhere(make, link)

    clock.freeze(clock.now() + timedelta(minutes=6))
    try:
        later = client.post("/api/v1/auth/password-reset", json={"email": person.email})
    finally:
        clock.freeze(None)
    assert later.status_code == 202
    assert len(mailbox.messages) == 2

    assert set_password(client, link).status_code == 204
    login = client.post(
        "/api/v1/auth/login", json={"email": person.email, "password": NEW_PASSWORD}
    )
    assert login.status_code == 200
    assert set_password(client, link_in(mailbox.messages[1])).status_code == 401


def test_unknown_or_inactive_address_gets_the_same_answer_and_no_mail(client, make, mailbox):
    inactive = make.user(active=False)

    unknown = client.post("/api/v1/auth/password-reset", json={"email": "nobody@customs.test"})
    refused = client.post("/api/v1/auth/password-reset", json={"email": inactive.email})

    assert unknown.status_code == refused.status_code == 202
    assert unknown.get_data() == refused.get_data()
    assert mailbox.messages == []
    assert make.count(Notification) == 0


def test_outbox_logs_one_line_without_the_link(client, make, reconfigure, tmp_path, caplog):
    reconfigure(instance_path=str(tmp_path))
    person = make.user()

    with caplog.at_level(logging.INFO, logger="elearn.infra.mail"):
        client.post("/api/v1/auth/password-reset", json={"email": person.email})

    [message] = mailserver.OutboxFolder(tmp_path / "outbox").messages
    link = link_in(message)
    [record] = caplog.records
    assert person.email in record.getMessage()
    assert "set-password" not in record.getMessage()
    assert link.split("=", 1)[1] not in caplog.text


def test_smtp_outage_never_reaches_the_api_response(client, make, reconfigure, caplog):
    reconfigure(smtp_url=f"smtp://{mailserver.HOST}:{mailserver.free_port()}")
    admin = make.user(Role.ADMIN, administration=None)

    created = client.post(
        "/api/v1/users",
        json={"email": "new.trainee@customs.test", "full_name": "New Trainee"},
        headers=admin.headers,
    )
    reset = client.post("/api/v1/auth/password-reset", json={"email": admin.email})

    assert created.status_code == 201
    assert created.json["email"] == "new.trainee@customs.test"
    assert reset.status_code == 202
    for response in (created, reset):
        text = response.get_data(as_text=True)
        assert "Traceback" not in text
        assert "Connection" not in text
    assert make.count(Notification, status=NotificationStatus.PENDING) == 2
    assert "set-password?token" not in caplog.text
