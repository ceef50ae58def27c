"""A production-like stack for fault drills, each of whose services a drill can take away.

The API (the Flask app, driven by its test client), a real worker with its embedded beat, and,
in front of them: a private ``redis-server`` (the broker; stopped and started for real), the
test PostgreSQL database and a SeaweedFS S3 port, each behind a cuttable TCP proxy (the shared
servers themselves stay up), and the SMTP test server. ``outcome`` counts what a drill must
end with: every certificate issued once, every PDF stored once, every mail sent once (one
Message-ID: a worker killed after the SMTP server accepted a mail but before its row committed
sends it again, with the same Message-ID, which mail systems drop as a duplicate), nothing
pending, no 5xx but the documented 503s.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import redis
from flask import Flask
from sqlalchemy import func, make_url, select

from elearn import create_app
from elearn.accounts.models import User
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.config import Settings
from elearn.extensions import db
from elearn.infra.outbox import OutboxMessage, OutboxStatus
from elearn.infra.tasks import make_celery
from elearn.notifications.models import Notification, NotificationStatus
from tests.enrolments.conftest import Learning
from tests.factories import Factory, Person
from tests.infra.seaweedfs import SeaweedFS
from tests.mailserver import SmtpTestServer, free_port
from tests.proxy import CuttableProxy, cuttable_proxy
from tests.worker import ROOT, worker_command

SETTLE_SECONDS = 240
CERTIFICATE_MAIL = "certificate_issued"


class PrivateRedis:
    """A redis-server of the drill's own, on its own port, without persistence."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.workdir)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_timeout=0.5).ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


class WorkerProcess:
    """``celery -A elearn.worker worker --beat`` with the drill's settings; killable whole."""

    def __init__(self, app: Flask, settings: Settings, log_path: Path) -> None:
        self.app, self.settings, self.log_path = app, settings, log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        node = f"elearn-drill-{uuid.uuid4().hex[:8]}@localhost"
        schedule = Path(self.settings.instance_path) / f"beat-{node}"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("ELEARN_")}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    *worker_command(node, ["tests.infra.work"]),
                    "--beat",
                    "--schedule",
                    str(schedule),
                ],
                cwd=ROOT,
                env={**environment, **self.settings.to_env()},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        client = make_celery(self.app, self.settings)
        deadline = time.monotonic() + 60
        while not client.control.ping(destination=[node], timeout=0.5):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"the drill's worker did not start:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the whole worker: its main process, its pool and its beat."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Outcome:
    """What a drill ended with, against what it expected."""

    expected: int
    issued: int
    distinct_certificates: int
    pdfs: int
    stray_objects: int
    mails: int
    deliveries: int
    pending_work: int
    pending_mail: int
    statuses: Counter[int]

    def line(self, name: str) -> str:
        server_errors = {s: n for s, n in self.statuses.items() if s >= 500}
        return (
            f"drill {name}: certificates issued {self.issued}/{self.expected} "
            f"(one per enrolment: {self.distinct_certificates}), PDFs stored "
            f"{self.pdfs}/{self.expected} (stray objects {self.stray_objects}), "
            f"certificate mails sent {self.mails}/{self.expected} "
            f"(SMTP deliveries {self.deliveries}), "
            f"pending outbox rows {self.pending_work}, pending mails {self.pending_mail}, "
            f"5xx {server_errors or 0}"
        )

    def assert_healed(self) -> None:
        n = self.expected
        assert (self.issued, self.distinct_certificates, self.pdfs, self.mails) == (n, n, n, n)
        assert (self.pending_work, self.pending_mail, self.stray_objects) == (0, 0, 0)
        assert {s for s in self.statuses if s >= 500} <= {503}


@dataclass
class Stack:
    app: Flask
    settings: Settings
    make: Factory
    learning: Learning
    redis: PrivateRedis
    database: CuttableProxy
    storage: CuttableProxy
    smtp: SmtpTestServer
    worker: WorkerProcess
    bucket: Any
    bucket_name: str
    prefix: str
    statuses: Counter[int] = field(default_factory=Counter)

    def request(self, send: Callable[[], Any]) -> Any:
        """Send until the answer is not a 503, waiting as Retry-After says; count each answer."""
        while True:
            response = send()
            self.statuses[response.status_code] += 1
            if response.status_code != 503:
                return response
            time.sleep(min(float(response.headers.get("Retry-After", "1")), 2.0))

    def trainees(self, count: int) -> list[Person]:
        return [
            self.make.user(email=f"drill-{uuid.uuid4().hex[:10]}@customs.test")
            for _ in range(count)
        ]

    def graduate(self, person: Person, course: Any) -> None:
        """Enrol ``person`` through the API and complete every lesson of ``course``."""
        client = self.learning.client
        enrolled = self.request(
            lambda: client.post(f"/api/v1/courses/{course.id}/enrolments", headers=person.headers)
        )
        assert enrolled.status_code == 201, enrolled.get_json()
        enrolment_id = enrolled.get_json()["id"]
        for lesson in course.lessons:
            done = self.request(
                lambda lesson=lesson: client.post(
                    f"/api/v1/enrolments/{enrolment_id}/lessons/{lesson}/complete",
                    headers=person.headers,
                )
            )
            assert done.status_code == 200, done.get_json()

    def issued(self) -> int:
        with self.app.app_context():
            return int(
                db.session.scalar(
                    select(func.count())
                    .select_from(Certificate)
                    .where(Certificate.status == CertificateStatus.ISSUED)
                )
                or 0
            )

    def settle(self, expected: int, timeout: float = SETTLE_SECONDS) -> float:
        """Wait until every certificate is issued and mailed and nothing is pending; seconds."""
        started = time.monotonic()
        while True:
            outcome = self.outcome(expected)
            if (
                outcome.issued >= expected
                and outcome.mails >= expected
                and not outcome.pending_work
                and not outcome.pending_mail
            ):
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise AssertionError(
                    f"not healed after {timeout:.0f}s: {outcome}\n{self.worker.log_tail()}"
                )
            time.sleep(0.5)

    def outcome(self, expected: int) -> Outcome:
        with self.app.app_context():
            certificates = db.session.execute(
                select(Certificate.enrolment_id, Certificate.status, Certificate.pdf_key)
            ).all()
            pending_work = db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.PENDING)
            )
            pending_mail = db.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(
                    Notification.status == NotificationStatus.PENDING,
                    # Other mail may rightly wait for the recipient's morning (quiet hours).
                    Notification.kind == CERTIFICATE_MAIL,
                )
            )
            certificate_mail_recipients = set(
                db.session.scalars(
                    select(User.email)
                    .join(Notification, Notification.user_id == User.id)
                    .where(Notification.kind == CERTIFICATE_MAIL)
                )
            )
            db.session.remove()
        issued = [row for row in certificates if row.status == CertificateStatus.ISSUED]
        listing = self.bucket.list_objects_v2(
            Bucket=self.bucket_name, Prefix=f"{self.prefix}/certificates/"
        )
        stored = {item["Key"] for item in listing.get("Contents", [])}
        pdf_keys = {f"{self.prefix}/{row.pdf_key}" for row in issued}
        certificate_mails = [
            received.message
            for received in self.smtp.received
            if set(received.rcpt_tos) & certificate_mail_recipients
            and str(received.message["Subject"]).startswith("Your certificate")
        ]
        return Outcome(
            expected=expected,
            issued=len(issued),
            distinct_certificates=len({row.enrolment_id for row in issued}),
            pdfs=len(stored & pdf_keys),
            stray_objects=len(stored - pdf_keys),
            mails=len({message["Message-ID"] for message in certificate_mails}),
            deliveries=len(certificate_mails),
            pending_work=int(pending_work or 0),
            pending_mail=int(pending_mail or 0),
            statuses=Counter(self.statuses),
        )


@contextmanager
def drill_stack(
    base: Settings, database_url: str, seaweedfs: SeaweedFS, smtp: SmtpTestServer, workdir: Path
) -> Iterator[Stack]:
    """Start the drill's Redis, proxies and worker; stop them all on exit."""
    database = make_url(database_url)
    s3_host, s3_port = seaweedfs.endpoint_url.removeprefix("http://").split(":")
    prefix = f"drill-{uuid.uuid4().hex[:8]}"
    with ExitStack() as stack:
        private_redis = PrivateRedis(workdir)
        private_redis.start()
        stack.callback(private_redis.stop)
        database_proxy = stack.enter_context(
            cuttable_proxy((database.host or "127.0.0.1", database.port or 5432))
        )
        storage_proxy = stack.enter_context(cuttable_proxy((s3_host, int(s3_port))))
        settings = replace(
            base,
            instance_path=str(workdir),
            database_url=database.set(port=database_proxy.port).render_as_string(False),
            broker_url=private_redis.url,
            storage_url=f"s3://{seaweedfs.bucket}/{prefix}",
            s3_endpoint_url=f"http://127.0.0.1:{storage_proxy.port}",
            s3_access_key_id=seaweedfs.access_key_id,
            s3_secret_access_key=seaweedfs.secret_access_key,
            s3_connect_timeout_seconds=2,
            s3_read_timeout_seconds=5,
            smtp_url=smtp.url(),
        )
        app = create_app(settings)
        app.config["TESTING"] = True
        worker = WorkerProcess(app, settings, workdir / "worker.log")
        worker.start()
        stack.callback(worker.stop)
        bucket = seaweedfs.client()
        yield Stack(
            app=app,
            settings=settings,
            make=Factory(app),
            learning=Learning(app, app.test_client()),
            redis=private_redis,
            database=database_proxy,
            storage=storage_proxy,
            smtp=smtp,
            worker=worker,
            bucket=bucket,
            bucket_name=seaweedfs.bucket,
            prefix=prefix,
        )
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
