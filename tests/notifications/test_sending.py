"""Notifications: queued in the caller's transaction, sent once by the task, failures recorded.

Most tests run twice: against the aiosmtpd server and against the outbox folder (``mailbox``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from elearn import clock
from elearn.accounts.models import User
from elearn.extensions import db
from elearn.infra.outbox import OutboxMessage, OutboxStatus
from elearn.notifications import service
from elearn.notifications.models import Notification, NotificationStatus
from elearn.notifications.service import retry_due
from elearn.uow import unit_of_work
from tests import mailserver
from tests.mailserver import body

RESET = {"purpose": "reset"}


def queue(app, user_id: int, *, key: str = "test:1", context=None, **user_changes: Any) -> int:
    """notify() in one unit of work (the task runs after its commit); the notification id."""
    with app.app_context(), unit_of_work():
        user = db.session.get(User, user_id)
        notification_id = service.notify(user, "set_password", context or RESET, key)
        for name, value in user_changes.items():
            setattr(user, name, value)
        return notification_id


def send_again(app, notification_id: int) -> None:
    with app.app_context():
        task = app.extensions["celery"].tasks[service.SEND_TASK]
        task.apply(kwargs={"notification_id": notification_id})


def outbox_status(make, notification_id: int) -> str:
    """The status of the latest outbox message that carries this notification."""
    with make.app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        carrying = [m for m in messages if m.kwargs.get("notification_id") == notification_id]
        return carrying[-1].status


def test_notify_sends_one_mail_and_a_used_dedupe_key_changes_nothing(app, make, mailbox):
    person = make.user()

    first = queue(app, person.id, key="welcome:1")
    second = queue(app, person.id, key="welcome:1", context={"purpose": "welcome"})

    assert first == second
    assert make.count(Notification) == 1
    assert make.count(OutboxMessage) == 1
    [message] = mailbox.messages
    assert message["To"].addresses[0].addr_spec == person.email
    assert message["Subject"] == "Reset your elearn password"
    notification = make.get(Notification, first)
    assert notification.status == NotificationStatus.SENT
    assert (notification.attempts, notification.last_error) == (1, None)
    assert notification.sent_at is not None
    assert notification.context == RESET
    assert outbox_status(make, first) == OutboxStatus.DELIVERED


def test_notify_is_one_insert_and_its_outbox_row_and_a_used_key_one_insert_and_a_look_up(
    app, make, queries
):
    person = make.user()
    with app.app_context(), unit_of_work():
        user = db.session.get(User, person.id)
        queries.reset()
        first = service.notify(user, "set_password", RESET, "welcome:1")
        assert queries.count == 2, queries.statements  # no look-up first, no savepoint
        queries.reset()
        again = service.notify(user, "set_password", RESET, "welcome:1")
        assert queries.count == 2, queries.statements
    assert again == first
    assert make.count(Notification) == 1


def test_running_the_task_again_sends_nothing_more(app, make, mailbox):
    notification_id = queue(app, make.user().id)

    send_again(app, notification_id)

    assert len(mailbox.messages) == 1
    assert make.get(Notification, notification_id).attempts == 1


@pytest.mark.parametrize(
    ("language", "subject", "html_lang"),
    [
        ("ru", "Сброс пароля elearn", "ru"),
        ("fr", "Réinitialisation de votre mot de passe elearn", "fr"),
        ("de", "Reset your elearn password", "en"),
    ],
)
def test_mail_is_in_the_users_language_with_english_fallback(
    app, make, mailbox, language, subject, html_lang
):
    person = make.user(full_name="Пётр Иванов")
    with app.app_context():
        db.session.get(User, person.id).language = language
        db.session.commit()

    queue(app, person.id)

    [message] = mailbox.messages
    assert message["Subject"] == subject
    assert message["To"].addresses[0].display_name == "Пётр Иванов"
    assert "Пётр Иванов" in body(message, "plain")
    assert f'<html lang="{html_lang}">' in body(message, "html")


def test_html_part_escapes_what_people_typed(app, make, mailbox):
    person = make.user(full_name='<script>alert("x")</script> Ann')

    queue(app, person.id)

    [message] = mailbox.messages
    html = body(message, "html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Ann" in html
    assert '<script>alert("x")</script> Ann' in body(message, "plain")


def test_inactive_user_is_suppressed_and_not_mailed(app, make, mailbox):
    person = make.user()

    notification_id = queue(app, person.id, active=False)

    notification = make.get(Notification, notification_id)
    assert notification.status == NotificationStatus.SUPPRESSED
    assert notification.attempts == 0
    assert mailbox.messages == []


@pytest.mark.parametrize(
    ("kind", "context"),
    [
        ("set_password", {"purpose": "reset", "reset_token": "abc"}),
        ("set_password", {"purpose": "reset", "Password": "abc"}),
        ("set_password", {"purpose": "reset", "user": object()}),
        ("set_password", {"purpose": "reset", "ids": [1, 2]}),
        ("no_such_kind", RESET),
    ],
)
def test_secrets_objects_and_unknown_kinds_are_refused(app, make, kind, context):
    person = make.user()

    with app.app_context(), pytest.raises(ValueError, match=r"secret|plain|kind"):
        service.notify(db.session.get(User, person.id), kind, context, "refused:1")

    assert make.count(Notification) == 0
    assert make.count(OutboxMessage) == 0


# failures (SMTP)


def test_refused_recipient_fails_for_good_with_the_reason(app, make, smtp_server, reconfigure):
    reconfigure(smtp_url=smtp_server.url())
    person = make.user(email="refused-officer@customs.test")

    notification_id = queue(app, person.id)

    notification = make.get(Notification, notification_id)
    assert notification.status == NotificationStatus.FAILED
    assert notification.attempts == 1
    assert notification.last_error == "recipient refused: 550 5.1.1 Mailbox unavailable"
    assert outbox_status(make, notification_id) == OutboxStatus.DELIVERED
    assert smtp_server.received == []


def test_unreachable_server_leaves_the_mail_pending_then_the_sweeper_delivers(
    app, make, smtp_server, reconfigure
):
    reconfigure(smtp_url=f"smtp://{mailserver.HOST}:{mailserver.free_port()}")
    person = make.user()

    notification_id = queue(app, person.id)

    notification = make.get(Notification, notification_id)
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 1
    assert "ConnectionRefusedError" in notification.last_error
    assert notification.next_try_at > notification.created_at
    # The message did its job (the notification was handled); the notification now holds the retry.
    assert outbox_status(make, notification_id) == OutboxStatus.DELIVERED

    reconfigure(smtp_url=smtp_server.url())
    clock.freeze(clock.now() + timedelta(minutes=10))
    try:
        with app.app_context(), unit_of_work():
            assert retry_due() == 1
    finally:
        clock.freeze(None)

    notification = make.get(Notification, notification_id)
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 2
    assert (notification.last_error, notification.next_try_at) == (None, None)
    assert len(smtp_server.messages) == 1
    assert outbox_status(make, notification_id) == OutboxStatus.DELIVERED


def test_timeouts_are_retried_by_the_sweeper_until_the_attempts_run_out(
    app, make, reconfigure, silent_smtp_url
):
    reconfigure(smtp_url=silent_smtp_url, smtp_timeout_seconds=0.1, mail_max_attempts=2)

    notification_id = queue(app, make.user().id)
    assert make.get(Notification, notification_id).status == NotificationStatus.PENDING
    clock.freeze(clock.now() + timedelta(minutes=10))
    try:
        with app.app_context(), unit_of_work():
            assert retry_due() == 1
    finally:
        clock.freeze(None)

    notification = make.get(Notification, notification_id)
    assert notification.status == NotificationStatus.FAILED
    assert notification.attempts == 2
    assert notification.last_error.startswith("gave up after 2 attempts: ")
    assert notification.last_error.endswith("timed out")
    assert outbox_status(make, notification_id) == OutboxStatus.DELIVERED


def test_the_row_is_locked_while_sending(app, settings, make, queries, smtp_server, reconfigure):
    if settings.database_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers; row locks exist on PostgreSQL")
    reconfigure(smtp_url=smtp_server.url())
    person = make.user()

    queue(app, person.id)

    locking = [s for s in queries.statements if "FROM notifications" in s and "FOR UPDATE" in s]
    assert len(locking) == 1
