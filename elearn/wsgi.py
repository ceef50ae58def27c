"""WSGI entry point for production servers: ``gunicorn elearn.wsgi:app``."""

from elearn import create_app

app = create_app()
