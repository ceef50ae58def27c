"""Celery entry point: ``celery -A elearn.worker worker`` and ``celery -A elearn.worker beat``."""

from elearn import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
