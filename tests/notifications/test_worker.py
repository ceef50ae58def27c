"""Two beat ticks racing on the real worker (PostgreSQL, Redis): every reminder is queued and
sent exactly once.

The worker runs in its own process on the real clock, so the enrolments are arranged around
``now``: due in six and a half days (inside the 7-day reminder's window), enrolled ten days ago,
and the trainees in a zone where it is midday, inside the sending window.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from elearn.accounts.models import User
from elearn.enrolments.models import Enrolment, EnrolmentSource, EnrolmentStatus
from elearn.extensions import db
from elearn.notifications.models import Notification, NotificationStatus
from tests.certificates.workers import wait_until

TRAINEES = 6
TICKS = ("elearn.notifications.send_due_soon", "elearn.notifications.send_idle_nudges")


def midday_zone(now: datetime) -> str:
    """An Etc zone whose local hour is 12 now (``Etc/GMT-N`` is UTC+N)."""
    offset = 12 - now.hour
    return f"Etc/GMT{-offset:+d}"


def _arrange(app, make, learning) -> list[int]:
    now = datetime.now(UTC)
    course = learning.course(reminder_offsets_days=[7], idle_after_days=10)
    people = [make.user(administration="AZ") for _ in range(TRAINEES)]
    with app.app_context():
        for person in people:
            db.session.get(User, person.id).time_zone = midday_zone(now)
            db.session.add(
                Enrolment(
                    user_id=person.id,
                    course_id=course.id,
                    status=EnrolmentStatus.ACTIVE,
                    source=EnrolmentSource.BULK,
                    enrolled_at=now - timedelta(days=10, hours=1),
                    due_at=now + timedelta(days=6, hours=12),
                    progress_percent=0,
                )
            )
        db.session.commit()
    return [person.id for person in people]


def _sent(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            select(Notification.kind, func.count())
            .where(Notification.status == NotificationStatus.SENT)
            .group_by(Notification.kind)
        )
        return {row[0]: row[1] for row in rows}


@pytest.mark.worker
def test_two_beat_ticks_racing_on_the_worker_send_each_reminder_once(
    app, background, make, learning
):
    if not background.real:
        pytest.skip("needs the real worker (ELEARN_TEST_BROKER_URL)")
    worker = background.worker
    assert worker is not None
    outbox = Path(worker.settings.instance_path) / "outbox"
    before = set(outbox.glob("*.eml"))
    _arrange(app, make, learning)

    for _tick in range(2):
        for task in TICKS:
            worker.client.send_task(task, queue="default")
    expected = {"due_soon": TRAINEES, "idle": TRAINEES}
    wait_until(lambda: _sent(app) == expected, "sending every reminder", worker.log_tail)
    worker.wait_idle()
    background.settle()

    assert _sent(app) == expected
    with app.app_context():
        keys = list(db.session.scalars(select(Notification.dedupe_key)))
    assert len(keys) == len(set(keys)) == 2 * TRAINEES
    mails = set(outbox.glob("*.eml")) - before
    assert len(mails) == 2 * TRAINEES
