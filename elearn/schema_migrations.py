"""Schema migrations (Alembic through Flask-Migrate), registered only by the processes that
run them.

Alembic, Mako and Flask-Migrate cost a process about 8 MiB of memory. The API's and the
workers' processes never migrate (the compose ``migrate`` job runs ``elearn db upgrade``), so
``create_app`` leaves them out; the ``elearn`` command and the scripts that build a schema
(the migration test, the benchmarks' dataset builder) register them on their app.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_migrate import Migrate

from elearn.database import db

MIGRATIONS_DIRECTORY = Path(__file__).resolve().parent.parent / "migrations"


def init_app(app: Flask) -> Flask:
    """``app`` with ``elearn db …`` and ``flask_migrate.upgrade()`` available."""
    Migrate(app, db, directory=str(MIGRATIONS_DIRECTORY))
    return app
