"""Which kinds of data changed, across processes: what lets a process reuse what it computed.

A session that changes data of a topic (``changed``: a flush hook of the topic's domain says
so, naming the keys changed, e.g. user ids, or none for all) makes every subscriber of the
topic forget them at once, in this process, and again when the transaction ends. On PostgreSQL
the transaction also sends ``NOTIFY`` before it commits, which the database delivers to every
listening process exactly when the change becomes visible.

Each process that reuses values listens on a connection of its own, opened on first use. Before
reusing anything it asks ``heard()``: that delivers what arrived (a poll of the socket, no round
trip) and says whether the feed is live. A process whose feed is not live reuses nothing: on
SQLite (no NOTIFY), and while its listening connection is lost; a feed that comes back makes
every subscriber forget, since changes may have been missed meanwhile.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import psycopg
from psycopg import pq
from psycopg.conninfo import make_conninfo
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "elearn_changes"
RECONNECT_SECONDS = 5.0
CONNECT_TIMEOUT_SECONDS = 2
# The listening connection is always idle: TCP keepalives find it lost without a word (a
# network partition, a host gone) within 10 + 3 x 5 = 25 s, after which nothing is reused.
SILENT_LOSS_PROBES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
EVERYTHING = "*"
# More keys than this in one transaction are announced as "all of the topic" (NOTIFY's payload
# is limited to 8,000 bytes).
MAX_ANNOUNCED_KEYS = 500
_CHANGED = "elearn.changed_topics"

Keys = frozenset[int] | None  # None: every key of the topic
Forget = Callable[[Keys], None]


class ChangeFeed:
    """This process's end of the feed: its subscribers and its listening connection."""

    def __init__(self) -> None:
        self._subscribers: defaultdict[str, list[Forget]] = defaultdict(list)
        self._conninfo: str | None = None
        self._connection: psycopg.Connection[Any] | None = None
        self._owner_pid = 0
        self._retry_at = 0.0
        self._lock = threading.Lock()

    def subscribe(self, topic: str, forget: Forget) -> None:
        self._subscribers[topic].append(forget)

    def listen_to(self, database_url: str) -> None:
        """Listen to the database at ``database_url`` (a SQLAlchemy URL); none but PostgreSQL
        sends notices, so on any other this process reuses nothing."""
        url = make_url(database_url)
        conninfo = None
        if url.get_backend_name() == "postgresql":
            # The engine's own reading of the URL, so both connect alike.
            _, options = url.get_dialect()().create_connect_args(url)
            conninfo = make_conninfo(**{**SILENT_LOSS_PROBES, **options})
        with self._lock:
            if conninfo != self._conninfo:
                self._drop_connection()
                self._conninfo = conninfo

    def heard(self) -> bool:
        """Deliver the notices that arrived; whether every change another process commits from
        now on will reach this one (else nothing may be reused)."""
        if self._conninfo is None:
            return False
        with self._lock:
            if self._owner_pid != os.getpid():
                # A forked child must not read from its parent's socket: it gets its own.
                self._connection, self._owner_pid = None, os.getpid()
            if self._connection is None and not self._connect():
                return False
            assert self._connection is not None
            try:
                notices = self._arrived(self._connection)
            except psycopg.Error:
                log.warning("change feed lost; nothing is reused until it is back")
                self._drop_connection()
                self._retry_at = time.monotonic() + RECONNECT_SECONDS
                return False
        for payload in notices:
            topic, _, keys = payload.partition(" ")
            self.forget(topic, frozenset(int(key) for key in keys.split()) if keys else None)
        return True

    @staticmethod
    def _arrived(connection: psycopg.Connection[Any]) -> list[str]:
        """The payloads received so far: a read of the socket that does not wait."""
        pgconn = connection.pgconn
        pgconn.consume_input()
        if pgconn.status != pq.ConnStatus.OK:
            raise psycopg.OperationalError("the listening connection is closed")
        notices = []
        while (notice := pgconn.notifies()) is not None:
            notices.append(notice.extra.decode())
        return notices

    def forget(self, topic: str, keys: Keys = None) -> None:
        chosen = list(self._subscribers) if topic == EVERYTHING else [topic]
        for name in chosen:
            for forget in self._subscribers.get(name, ()):
                forget(keys)

    def _connect(self) -> bool:
        if time.monotonic() < self._retry_at:
            return False
        assert self._conninfo is not None
        try:
            connection = psycopg.connect(
                self._conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
            )
            connection.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error:
            self._retry_at = time.monotonic() + RECONNECT_SECONDS
            return False
        self._connection = connection
        # Whatever changed while nobody listened is unknown: forget it all.
        self.forget(EVERYTHING)
        return True

    def _drop_connection(self) -> None:
        if self._connection is not None and self._owner_pid == os.getpid():
            self._connection.close()
        self._connection = None


feed = ChangeFeed()


def changed(session: Session, topic: str, keys: Iterable[int] | None = None) -> None:
    """``session`` changed data of ``topic`` (of ``keys`` only, else of any key): subscribers
    here forget it now and when the transaction ends; other processes hear it when it commits."""
    chosen = None if keys is None else frozenset(keys)
    pending: dict[str, set[int] | None] = session.info.setdefault(_CHANGED, {})
    known = pending.setdefault(topic, set())
    if chosen is None or known is None:
        pending[topic] = None
    else:
        known.update(chosen)
    feed.forget(topic, chosen)


def _announce(session: Session) -> None:
    session.flush()  # the commit flushes after this hook; its changes must be announced too
    pending: dict[str, set[int] | None] = session.info.get(_CHANGED, {})
    if not pending or session.get_bind().dialect.name != "postgresql":
        return
    for topic, keys in sorted(pending.items()):
        payload = topic
        if keys is not None and len(keys) <= MAX_ANNOUNCED_KEYS:
            payload = " ".join([topic, *map(str, sorted(keys))])
        session.execute(select(func.pg_notify(CHANNEL, payload)))


def _forget_at_the_end(session: Session) -> None:
    # A read between the flush and the end may have been reused with what was then uncommitted.
    for topic, keys in session.info.pop(_CHANGED, {}).items():
        feed.forget(topic, None if keys is None else frozenset(keys))


def init_app(database_url: str) -> None:
    feed.listen_to(database_url)
    if not event.contains(Session, "before_commit", _announce):
        event.listen(Session, "before_commit", _announce)
        event.listen(Session, "after_commit", _forget_at_the_end)
        event.listen(Session, "after_rollback", _forget_at_the_end)
