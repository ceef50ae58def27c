"""Reachability of the Celery broker: the readiness probe, the outbox sweeper, and the gate that
keeps a broker outage from costing every request a publish timeout."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis
from celery import Celery
from kombu.transport import redis as kombu_redis

log = logging.getLogger(__name__)

# After a publish fails, this process sends nothing for so long: the outbox rows stay pending
# for the sweeper, and requests pay no timeout at all until the gate opens again.
PUBLISH_PAUSE_SECONDS = 10.0


class RedisChannel(kombu_redis.Channel):
    """kombu's Redis channel, except that asking it for a connection once its transport is
    closed is a connection error (kombu raised ``AttributeError``). When Redis went away while
    the worker held unacknowledged messages, closing the channel tried to put them back through
    the closed connection, and the AttributeError stopped the worker for good; as a connection
    error, the consumer reconnects once Redis is back, and Redis redelivers those messages."""

    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        if self.connection.client is None:
            raise redis.ConnectionError("the broker connection is closed")
        params: dict[str, Any] = super()._connparams(asynchronous)
        return params


class RedisTransport(kombu_redis.Transport):
    Channel = RedisChannel


def transport_for(broker_url: str) -> str | None:
    """The kombu transport for ``broker_url``: ours for plain Redis, else kombu's choice."""
    return f"{__name__}:RedisTransport" if broker_url.startswith("redis://") else None


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
