"""Celery entry point: ``celery -A elearn.worker worker`` and ``celery -A elearn.worker beat``."""

from typing import Any

from celery.signals import worker_process_init

from elearn import create_app
from elearn.extensions import db

flask_app = create_app()
celery = flask_app.extensions["celery"]


@worker_process_init.connect
def _own_connections(**_: Any) -> None:
    # A forked pool process must never reuse a database connection opened by its parent.
    with flask_app.app_context():
        db.engine.dispose(close=False)
