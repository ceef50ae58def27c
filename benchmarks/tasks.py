"""Background task round trip through the outbox and a real Celery worker on Redis.

    .venv/bin/python -m benchmarks.tasks [--tasks 200] [--broker-url redis://127.0.0.1:6379/12]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/SCRATCH_DB]

Run it from the repository root. The broker database is flushed, and the database (default: a
fresh SQLite file) gets the schema created and dropped: give it only scratch databases.
Prints, in milliseconds:
- round trip: enqueue → commit → publish → worker claims the row and runs → row delivered, as
  seen by polling from the sending process (one task at a time);
- request: an HTTP request that enqueues work, with the broker up and with it down (closed port);
- burst: N tasks sent back to back, until the last is delivered (throughput).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from elearn.config import Settings
from elearn.extensions import db
from elearn.infra import outbox
from elearn.infra.outbox import OutboxMessage, OutboxStatus
from elearn.uow import unit_of_work
from tests.infra.work import work_app
from tests.worker import closed_port, running_worker

POLL_SECONDS = 0.0005


def milliseconds(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered) * 1000:7.1f}   p95 {p95 * 1000:7.1f}"


def enqueue(app: Flask, label: str) -> int:
    with app.app_context(), unit_of_work():
        message_id = outbox.enqueue("tests.record_delivery", label=label).id
    return message_id


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the worker did not deliver in time")
        time.sleep(POLL_SECONDS)


def delivered(app: Flask, message_id: int) -> bool:
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        return message is not None and message.status == OutboxStatus.DELIVERED


def pending_count(app: Flask) -> int:
    with app.app_context():
        statement = select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
        return int(db.session.scalar(statement) or 0)


def round_trips(app: Flask, count: int) -> list[float]:
    samples = []
    for number in range(count):
        started = time.perf_counter()
        message_id = enqueue(app, f"trip-{number}")
        wait_until(lambda message_id=message_id: delivered(app, message_id))
        samples.append(time.perf_counter() - started)
    return samples


def requests(app: Flask, count: int) -> list[float]:
    client = app.test_client()
    samples = []
    for number in range(count):
        started = time.perf_counter()
        response = client.post("/test/work", json={"label": f"request-{number}"})
        samples.append(time.perf_counter() - started)
        assert response.status_code == 202, response.status_code
    return samples


def burst(app: Flask, count: int) -> float:
    started = time.perf_counter()
    for number in range(count):
        enqueue(app, f"burst-{number}")
    wait_until(lambda: pending_count(app) == 0)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--database-url", default="")
    arguments = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="elearn-bench-tasks-"))
    settings = Settings(
        env="test",
        instance_path=str(instance),
        database_url=arguments.database_url or f"sqlite:///{instance / 'bench.db'}",
        broker_url=arguments.broker_url,
    ).validated()
    app = work_app(settings)
    down = work_app(replace(settings, broker_url=f"redis://127.0.0.1:{closed_port()}/0"))
    with app.app_context():
        db.drop_all()
        db.create_all()
    print(f"database {settings.database_url.split('@')[-1]}   broker {settings.broker_url}")
    try:
        with running_worker(app, settings, ["tests.infra.work"], instance / "worker.log"):
            round_trips(app, 10)  # warm the worker's pool processes and connections
            trips = round_trips(app, arguments.tasks)
            print(f"round trip, {arguments.tasks} tasks one at a time (ms): {milliseconds(trips)}")
            sent = requests(app, arguments.tasks)
            wait_until(lambda: pending_count(app) == 0)
            print(f"request enqueuing work, broker up (ms):   {milliseconds(sent)}")
            seconds = burst(app, arguments.tasks)
            print(
                f"burst of {arguments.tasks} tasks: {seconds:.2f} s, "
                f"{arguments.tasks / seconds:.0f} tasks/s (worker concurrency 2)"
            )
            refused = requests(down, 50)
            print(f"request enqueuing work, broker down (ms): {milliseconds(refused)}")
    finally:
        with app.app_context():
            db.drop_all()


if __name__ == "__main__":
    main()
