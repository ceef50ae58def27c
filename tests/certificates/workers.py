"""A Celery worker of its own, on chosen queues, for a test or a benchmark (no pytest needed).

Unlike the session's worker (``tests/worker.py``) it leaves the broker database alone, so it can
start while the session's worker runs; give it queues nobody else consumes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from celery import Celery
from flask import Flask

from elearn.config import Settings
from elearn.infra.tasks import make_celery
from tests.worker import ROOT

WAIT_SECONDS = 60


@dataclass(frozen=True)
class DedicatedWorker:
    """The worker's process (leader of its own process group) and a Celery client of it."""

    process: subprocess.Popen[bytes]
    client: Celery


def wait_until(condition: Callable[[], bool], what: str, log: Callable[[], str]) -> None:
    """Poll ``condition`` until true; after WAIT_SECONDS fail, showing ``log``."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen in {WAIT_SECONDS}s:\n{log()}")
        time.sleep(0.05)


@contextmanager
def dedicated_worker(
    app: Flask,
    settings: Settings,
    log_path: Path,
    *,
    queues: Sequence[str],
    concurrency: int,
    include: Sequence[str] = (),
) -> Iterator[DedicatedWorker]:
    """Run ``celery -A elearn.worker worker`` with exactly ``settings`` until the block ends."""
    node = f"elearn-dedicated-{uuid.uuid4().hex[:8]}@localhost"
    command = [
        *(sys.executable, "-m", "celery", "-A", "elearn.worker", "worker"),
        *("--queues", ",".join(queues), "--hostname", node),
        *("--concurrency", str(concurrency), "--loglevel", "INFO"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        *(("--include", ",".join(include)) if include else ()),
    ]
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("ELEARN_")
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**environment, **settings.to_env()},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    client = make_celery(app, settings)
    try:
        wait_until(
            lambda: (
                process.poll() is None
                and bool(client.control.ping(destination=[node], timeout=0.5))
            ),
            "the worker's start",
            lambda: log_path.read_text(errors="replace"),
        )
        yield DedicatedWorker(process, client)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
