"""Liveness and readiness probes (outside /api/v1, unauthenticated, no details that leak).

Readiness runs every check at once, each on a client of its own that gives up after
``PROBE_TIMEOUT_SECONDS`` (one attempt), so a hung dependency costs a probe about two seconds
and never holds a server thread for long; liveness touches nothing. A check is *required* when
the API cannot serve without it (database, storage); an optional one (the broker: requests
still succeed without it, their work waits in the outbox) is reported but keeps the API ready.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from flask import Flask, Response, current_app, jsonify
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from elearn import openapi
from elearn.extensions import db
from elearn.inputs import Blueprint

log = logging.getLogger(__name__)
health_blp = Blueprint("health", __name__, url_prefix="/health", description="Probes")

PROBE_TIMEOUT_SECONDS = 2.0
# A check that has not answered by then is reported as timed out, whatever its client does.
_PROBE_DEADLINE_SECONDS = PROBE_TIMEOUT_SECONDS + 0.5
_probes = ThreadPoolExecutor(max_workers=8, thread_name_prefix="readiness")

ReadinessCheck = Callable[[], None]


@dataclass(frozen=True)
class Readiness:
    check: ReadinessCheck
    required: bool


def register_readiness_check(
    app: Flask, name: str, check: ReadinessCheck, *, required: bool = True
) -> None:
    """Add a check to /health/ready; it raises when its dependency is unusable, within
    PROBE_TIMEOUT_SECONDS. A failing optional check is reported without making the API unready."""
    app.extensions.setdefault("elearn.readiness", {})[name] = Readiness(check, required)


def probe_engine(app: Flask) -> Engine:
    """An engine for the database probe: no pool, a connect timeout and a statement timeout of
    PROBE_TIMEOUT_SECONDS on PostgreSQL (SQLite is a file: the app's own engine)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        with app.app_context():
            return db.engine
    milliseconds = int(PROBE_TIMEOUT_SECONDS * 1000)
    return create_engine(
        url,
        poolclass=NullPool,
        hide_parameters=True,
        connect_args={
            "connect_timeout": int(PROBE_TIMEOUT_SECONDS),
            "options": f"-c statement_timeout={milliseconds}",
        },
    )


def _database_check(engine: Engine) -> ReadinessCheck:
    def check() -> None:
        # Autocommit: the probe opens no transaction (on SQLite, takes no write lock).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("SELECT 1"))

    return check


def init_app(app: Flask) -> None:
    register_readiness_check(app, "database", _database_check(probe_engine(app)))


@health_blp.route("/live")
@health_blp.doc(security=openapi.PUBLIC)
@health_blp.response(200)
def live() -> Response:
    """The process is up."""
    return jsonify(status="ok")


def _outcome(name: str, future: Future[None]) -> str:
    if not future.done():
        log.warning("readiness check %s timed out", name)
        return "timeout"
    error = future.exception()
    if error is not None:
        log.warning("readiness check %s failed", name, exc_info=error)
        return "failing"
    return "ok"


@health_blp.route("/ready")
@health_blp.doc(security=openapi.PUBLIC)
@health_blp.response(200)
def ready() -> tuple[Response, int]:
    """Every required dependency answers within about two seconds; 503 with the failing checks
    named otherwise. An optional check that fails (the broker) makes the status `degraded`."""
    readiness: dict[str, Readiness] = current_app.extensions["elearn.readiness"]
    futures = {name: _probes.submit(entry.check) for name, entry in readiness.items()}
    wait(futures.values(), timeout=_PROBE_DEADLINE_SECONDS)
    checks = {name: _outcome(name, future) for name, future in futures.items()}
    failing = {name for name, state in checks.items() if state != "ok"}
    if any(readiness[name].required for name in failing):
        return jsonify(status="failing", checks=checks), 503
    return jsonify(status="degraded" if failing else "ok", checks=checks), 200
