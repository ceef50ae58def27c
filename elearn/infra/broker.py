"""Reachability of the Celery broker: the readiness probe, the outbox sweeper, and the gate that
keeps a broker outage from costing every request a publish timeout."""

from __future__ import annotations

import logging
import threading
import time

from celery import Celery

log = logging.getLogger(__name__)

# After a publish fails, this process sends nothing for so long: the outbox rows stay pending
# for the sweeper, and requests pay no timeout at all until the gate opens again.
PUBLISH_PAUSE_SECONDS = 10.0


def check_broker(celery_app: Celery) -> None:
    """Raise unless a connection to the broker opens now; one attempt, no retry."""
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=0)


def broker_reachable(celery_app: Celery) -> bool:
    """True in eager mode (there is no broker), else whether ``check_broker`` succeeds."""
    if celery_app.conf.task_always_eager:
        return True
    try:
        check_broker(celery_app)
    except Exception:
        return False
    return True


class PublishGate:
    """Open unless a publish failed less than ``pause`` seconds ago (one per process)."""

    def __init__(self, pause: float = PUBLISH_PAUSE_SECONDS) -> None:
        self.pause = pause
        self._closed_until = 0.0
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() >= self._closed_until

    def close(self) -> None:
        with self._lock:
            if self.is_open():
                log.warning(
                    "publishing to the broker failed; sending nothing for %.0f s, the outbox "
                    "sweeper re-sends what waits",
                    self.pause,
                )
            self._closed_until = time.monotonic() + self.pause
