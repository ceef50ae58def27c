"""Liveness and readiness probes (outside /api/v1, unauthenticated, no details that leak)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, jsonify
from flask_smorest import Blueprint
from sqlalchemy import text

from elearn import openapi
from elearn.extensions import db

log = logging.getLogger(__name__)
health_blp = Blueprint("health", __name__, url_prefix="/health", description="Probes")

ReadinessCheck = Callable[[], None]


def _database() -> None:
    # A pool connection of its own: the probe must not open a transaction in the request session.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("SELECT 1"))


def register_readiness_check(app: Flask, name: str, check: ReadinessCheck) -> None:
    """Add a check to /health/ready; it raises when its dependency is unusable."""
    app.extensions.setdefault("elearn.readiness", {})[name] = check


def init_app(app: Flask) -> None:
    register_readiness_check(app, "database", _database)


@health_blp.route("/live")
@health_blp.doc(security=openapi.PUBLIC)
@health_blp.response(200)
def live() -> Response:
    """The process is up."""
    return jsonify(status="ok")


@health_blp.route("/ready")
@health_blp.doc(security=openapi.PUBLIC)
@health_blp.response(200)
def ready() -> tuple[Response, int]:
    """Every dependency answers; 503 with the failing checks named otherwise."""
    from flask import current_app

    checks: dict[str, str] = {}
    for name, check in current_app.extensions["elearn.readiness"].items():
        try:
            check()
            checks[name] = "ok"
        except Exception:
            log.warning("readiness check %s failed", name, exc_info=True)
            checks[name] = "failing"
    healthy = all(state == "ok" for state in checks.values())
    return jsonify(status="ok" if healthy else "failing", checks=checks), 200 if healthy else 503
