"""A real Celery worker for the test session, and waiting until background work has run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
from celery import Celery
from flask import Flask
from sqlalchemy import select

from elearn.config import Settings
from elearn.extensions import db
from elearn.infra.outbox import QUEUES, OutboxMessage, OutboxStatus
from elearn.infra.tasks import make_celery

ROOT = Path(__file__).resolve().parent.parent
READY_SECONDS = 60
STOP_SECONDS = 20


@dataclass
class Worker:
    """A running ``celery -A elearn.worker worker`` and a Celery client that sends to it."""

    process: subprocess.Popen[bytes]
    node: str
    log_path: Path
    settings: Settings
    client: Celery

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Return once no message waits in a queue and the worker holds none (running,
        prefetched or scheduled for a retry): nothing one test sent can reach the next test's
        rows, whose ids SQLite reuses once the tables are emptied."""
        broker = redis.Redis.from_url(self.settings.broker_url)
        inspect = self.client.control.inspect(destination=[self.node], timeout=1)
        deadline = time.monotonic() + timeout
        while True:
            queued = sum(int(broker.llen(queue)) for queue in QUEUES)
            held = (inspect.active(), inspect.reserved(), inspect.scheduled())
            if not queued and all(reply is not None and not reply[self.node] for reply in held):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the worker is still busy after {timeout}s: {held}")
            time.sleep(0.05)


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def worker_command(node: str, include: Sequence[str]) -> list[str]:
    return [
        *(sys.executable, "-m", "celery", "-A", "elearn.worker", "worker"),
        *("--queues", ",".join(QUEUES), "--hostname", node, "--concurrency", "2"),
        *("--include", ",".join(include), "--loglevel", "INFO"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]


@contextmanager
def running_worker(
    app: Flask, settings: Settings, include: Sequence[str], log_path: Path
) -> Iterator[Worker]:
    """Start a worker configured by exactly ``settings``; stop it (and its pool) on exit.

    The broker database belongs to the test session: it is flushed first, so no message left
    by an earlier run can reach this one's rows.
    """
    redis.Redis.from_url(settings.broker_url).flushdb()
    node = f"elearn-test-{uuid.uuid4().hex[:8]}@localhost"
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("ELEARN_")
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            worker_command(node, include),
            cwd=ROOT,
            env={**environment, **settings.to_env()},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(process, node, log_path, settings, make_celery(app, settings))
    try:
        _wait_until_ready(worker)
        yield worker
    finally:
        _stop(process)


def _wait_until_ready(worker: Worker) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited:\n{worker.log_tail()}")
        if worker.client.control.ping(destination=[worker.node], timeout=0.5):
            return
    raise RuntimeError(
        f"the Celery worker did not answer in {READY_SECONDS}s:\n{worker.log_tail()}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # warm shutdown: running tasks finish
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class Background:
    """Where a test's background work runs (eagerly, or on the real worker) and waiting for it."""

    def __init__(self, app: Flask, settings: Settings, worker: Worker | None) -> None:
        self.app = app
        self.worker = worker
        self.settings = worker.settings if worker else settings

    @property
    def real(self) -> bool:
        return self.worker is not None

    def settle(self, timeout: float = 30.0) -> None:
        """Return once no outbox row is pending (at once when tasks run eagerly)."""
        if self.worker is None:
            return
        deadline = time.monotonic() + timeout
        while (pending := self._pending()) and time.monotonic() < deadline:
            time.sleep(0.02)
        if pending:
            raise AssertionError(
                f"outbox rows still pending after {timeout}s: {pending}\n{self.worker.log_tail()}"
            )

    def _pending(self) -> list[tuple[int, str]]:
        with self.app.app_context():
            rows = db.session.execute(
                select(OutboxMessage.id, OutboxMessage.task).where(
                    OutboxMessage.status == OutboxStatus.PENDING
                )
            )
            return [(row.id, row.task) for row in rows]
