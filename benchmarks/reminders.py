"""Reminder sweeps at volume: (a) a sweep with nothing due, (b) a sweep with DUE reminders due,
timed to the last outbox row committed, then the mail sent over SMTP to a local aiosmtpd sink
by one worker process (one connection, as a worker sends them in a row), for the first
MAIL_SAMPLE of them.

Run from the repository root (SQLite in a temporary folder unless --database-url is given; the
database is emptied and filled, so give it a database of its own)::

    .venv/bin/python -m benchmarks.reminders --trainees 2000 --due 200
    .venv/bin/python -m benchmarks.reminders --trainees 200000 --enrolments 5 --due 10000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/elearn_bench
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from elearn import clock, create_app
from elearn.accounts.models import Administration, User
from elearn.config import Settings
from elearn.courses.models import Course
from elearn.enrolments.models import Enrolment
from elearn.extensions import db
from elearn.infra.mail import mailer_from_settings
from elearn.notifications import reminders, service
from elearn.notifications.models import Notification
from elearn.uow import after_commit, unit_of_work
from tests import mailserver

NOW = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)
COURSES = 5
BATCH = 10_000


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def fill(trainees: int, per_trainee: int, due: int) -> None:
    """Trainees of one administration, ``per_trainee`` enrolments each, due far from any
    reminder window, except ``due`` enrolments due in 6.5 days (their 7-day reminder is due)."""
    db.drop_all()
    db.create_all()
    administration = Administration(code="AZ", names={"en": "AZ"}, region="Europe")
    db.session.add(administration)
    courses = [
        Course(slug=f"c{n}", code=f"C{n}", default_language="en", status="published")
        for n in range(COURSES)
    ]
    db.session.add_all(courses)
    db.session.flush()
    course_ids = [course.id for course in courses]
    for start in range(0, trainees, BATCH):
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"officer{n}@customs.test",
                    "full_name": f"Officer {n}",
                    "administration_id": administration.id,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for n in range(start, min(trainees, start + BATCH))
            ],
        )
    user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    rows = []
    for index, user_id in enumerate(user_ids):
        for course in range(min(per_trainee, COURSES)):
            number = index * per_trainee + course
            due_at = (
                NOW + timedelta(days=6, hours=12)
                if number < due
                else NOW + timedelta(days=40 + number % 300)
            )
            rows.append(
                {
                    "user_id": user_id,
                    "course_id": course_ids[course],
                    "status": "active",
                    "source": "bulk",
                    "enrolled_at": NOW - timedelta(days=30),
                    "last_activity_at": NOW - timedelta(days=2),
                    "due_at": due_at,
                    "progress_percent": 0,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
            if len(rows) == BATCH:
                db.session.execute(insert(Enrolment), rows)
                rows = []
    if rows:
        db.session.execute(insert(Enrolment), rows)
    db.session.commit()


def sweep() -> tuple[int, float]:
    """Both sweeps in one transaction: how many were queued, and the seconds from the start
    to the commit of the last outbox row (the sending tasks go to the broker after it)."""
    started = time.perf_counter()
    committed: list[float] = []
    with unit_of_work():
        after_commit(lambda: committed.append(time.perf_counter()))
        queued = reminders.send_due_soon() + reminders.send_idle_nudges()
    return queued, committed[0] - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=2000)
    parser.add_argument("--enrolments", type=int, default=5, help="per trainee (at most 5)")
    parser.add_argument("--due", type=int, default=200)
    parser.add_argument("--mail-sample", type=int, default=1000, help="mails sent to the sink")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    folder = tempfile.mkdtemp(prefix="elearn-reminders-bench-")
    sink = mailserver.start("smtp")
    settings = Settings(
        instance_path=folder,
        database_url=args.database_url or f"sqlite:///{folder}/bench.db",
        # An in-memory broker nobody reads: tasks are recorded and sent, not run here.
        broker_url="memory://localhost/",
        smtp_url=sink.url(),
    ).validated()
    app = create_app(settings)
    with app.app_context():
        clock.freeze(NOW)
        fill_seconds, _ = timed(lambda: fill(args.trainees, args.enrolments, args.due))
        enrolments = args.trainees * min(args.enrolments, COURSES)
        print(f"{args.trainees:,} trainees, {enrolments:,} enrolments ({db.engine.dialect.name})")
        print(f"filled in {fill_seconds:.1f} s")

        clock.freeze(NOW + timedelta(days=-20))  # nothing is due then
        empty = [timed(sweep) for _ in range(5)]
        assert all(queued == 0 for _, (queued, _) in empty)
        median = statistics.median(seconds for seconds, _ in empty)
        print(f"(a) sweep, nothing due: median {median * 1000:.1f} ms")

        clock.freeze(NOW)
        seconds, (queued, to_commit) = timed(sweep)
        print(f"(b) sweep, {queued:,} reminders due: {to_commit:.2f} s to the last outbox row")
        print(f"    and {seconds:.2f} s until the broker has the last of their sending tasks")
        again, (requeued, _) = timed(sweep)
        print(f"    the same sweep again: {again * 1000:.0f} ms, {requeued} queued (dedupe keys)")

        ids = list(
            db.session.scalars(
                select(Notification.id).order_by(Notification.id).limit(args.mail_sample)
            )
        )
        mailer = mailer_from_settings(settings)

        def deliver_all() -> None:
            for notification_id in ids:
                with unit_of_work():
                    service.deliver(notification_id, mailer)

        mail_seconds, _ = timed(deliver_all)
        received = len(sink.received)
        print(
            f"    {received:,} mails accepted by the SMTP sink in {mail_seconds:.2f} s: "
            f"{received / mail_seconds:.0f} mails/s for one worker process"
        )
        assert received == len(ids)
        clock.freeze(None)
        db.drop_all()
    sink.stop()


if __name__ == "__main__":
    main()
