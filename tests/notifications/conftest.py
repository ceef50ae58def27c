"""Reminder tests: a controlled clock, the beat's tasks run at chosen moments, and the mail
that reached the aiosmtpd server, per recipient."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask

from elearn import clock
from elearn.extensions import db
from tests import mailserver
from tests.enrolments.conftest import Learning

BEAT_TASKS = (
    "elearn.enrolments.expire_overdue",
    "elearn.notifications.send_due_soon",
    "elearn.notifications.send_idle_nudges",
    "elearn.notifications.send_weekly_digests",
    "elearn.notifications.retry_due",
)


@pytest.fixture
def learning(app: Flask, client) -> Learning:
    return Learning(app, client)


@dataclass
class Beat:
    """Runs every periodic task of the reminders at a moment, each tick twice (as two beats
    whose ticks overlap would)."""

    app: Flask

    def at(self, moment: datetime, *, twice: bool = True) -> None:
        clock.freeze(moment)
        celery_app = self.app.extensions["celery"]
        for name in BEAT_TASKS:
            for _ in range(2 if twice else 1):
                result = celery_app.tasks[name].apply()
                assert result.successful(), result.traceback

    def every(self, start: datetime, end: datetime, step: timedelta) -> None:
        moment = start
        while moment <= end:
            self.at(moment)
            moment += step


@pytest.fixture
def beat(app: Flask) -> Iterator[Beat]:
    yield Beat(app)
    clock.freeze(None)


@dataclass
class Mails:
    """What the SMTP server received, read per recipient."""

    server: mailserver.SmtpTestServer

    def to(self, email: str) -> list[EmailMessage]:
        return [m for m in self.server.messages if m["To"].addresses[0].addr_spec == email]

    def subjects(self, email: str) -> list[str]:
        return [str(message["Subject"]) for message in self.to(email)]

    def duplicates(self) -> int:
        """Mails received more than once (same Message-ID)."""
        counts = Counter(str(message["Message-ID"]) for message in self.server.messages)
        return sum(count - 1 for count in counts.values())


@pytest.fixture
def mails(smtp_server, reconfigure) -> Mails:
    reconfigure(smtp_url=smtp_server.url())
    return Mails(smtp_server)


def set_time_zone(app: Flask, model: type, key: int | str, zone: str) -> None:
    """Give an administration (by code) or a user (by id) their time zone."""
    with app.app_context():
        if isinstance(key, str):
            row = db.session.scalar(db.select(model).filter_by(code=key))
        else:
            row = db.session.get(model, key)
        row.time_zone = zone
        db.session.commit()
