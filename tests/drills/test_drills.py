"""Fault drills: a service goes away in the middle of a batch of completions, and comes back.

Each drill graduates BATCH trainees (enrolment, every lesson: a certificate to render, store,
sign and mail), takes one service away part way, brings it back, and waits, without any
operator action, until the stack has healed. It then prints and checks the expected and
observed counts (``Outcome.line``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from tests.drills.stack import Stack

BATCH = 12
HALF = BATCH // 2
STORAGE_OUTAGE_SECONDS = 30
DATABASE_OUTAGE_SECONDS = 10
REDIS_OUTAGE_SECONDS = 10
SMTP_BUSY_SECONDS = 20

pytestmark = [pytest.mark.drill, pytest.mark.committed]


def _graduate(stack: Stack, people, course) -> None:
    for person in people:
        stack.graduate(person, course)


def _after(seconds: float, action: Callable[[], None]) -> threading.Timer:
    timer = threading.Timer(seconds, action)
    timer.start()
    return timer


def _healed(stack: Stack, name: str, since: float) -> None:
    stack.settle(BATCH)
    outcome = stack.outcome(BATCH)
    print(f"\n{outcome.line(name)}; healed {time.monotonic() - since:.1f} s after the fault")
    outcome.assert_healed()


def _through_an_outage(
    stack: Stack,
    name: str,
    seconds: float,
    take_away: Callable[[], None],
    bring_back: Callable[[], None],
) -> None:
    """Graduate half the batch, take a service away, graduate the other half while it is away,
    bring it back ``seconds`` after it went, and wait until the stack has healed."""
    course, people = stack.learning.course(), stack.trainees(BATCH)
    _graduate(stack, people[:HALF], course)

    take_away()
    fault = time.monotonic()
    back = _after(seconds, bring_back)
    _graduate(stack, people[HALF:], course)
    back.join()

    _healed(stack, name, fault)


def test_redis_stopped_and_started(stack: Stack):
    # The API answers throughout; its work waits in the outbox.
    _through_an_outage(
        stack, "redis stopped 10 s", REDIS_OUTAGE_SECONDS, stack.redis.stop, stack.redis.start
    )


def test_the_whole_worker_killed_mid_batch(stack: Stack):
    course, people = stack.learning.course(), stack.trainees(BATCH)
    _graduate(stack, people[:HALF], course)

    stack.worker.kill()
    fault = time.monotonic()
    _graduate(stack, people[HALF:], course)
    stack.worker.start()  # as a supervisor restarts it

    _healed(stack, "worker SIGKILLed", fault)


def test_storage_unreachable_for_30_seconds(stack: Stack):
    _through_an_outage(
        stack,
        "SeaweedFS unreachable 30 s",
        STORAGE_OUTAGE_SECONDS,
        stack.storage.cut,
        stack.storage.restore,
    )


def test_smtp_answers_451_then_ok(stack: Stack):
    collector = stack.smtp.collector
    answer_ok = collector.handle_RCPT

    async def busy(server, session, envelope, address, rcpt_options) -> str:
        return "451 4.3.0 Mailbox busy, try again later"

    course, people = stack.learning.course(), stack.trainees(BATCH)
    collector.handle_RCPT = busy  # type: ignore[method-assign]
    fault = time.monotonic()
    timer = _after(SMTP_BUSY_SECONDS, lambda: setattr(collector, "handle_RCPT", answer_ok))
    _graduate(stack, people, course)
    timer.join()

    _healed(stack, "SMTP 451 for 20 s", fault)


def test_postgresql_refusing_connections_for_10_seconds(stack: Stack):
    # 503 with Retry-After until it is back, then 2xx.
    _through_an_outage(
        stack,
        "PostgreSQL refusing 10 s",
        DATABASE_OUTAGE_SECONDS,
        stack.database.cut,
        stack.database.restore,
    )
    assert stack.statuses[503] > 0
