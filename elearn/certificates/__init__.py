"""Certificates: issued when an enrolment completes, rendered as PDFs, signed as credentials,
verified in public, revoked and reissued by admins."""

from __future__ import annotations

from flask import Flask

from elearn.certificates.service import issuing


def init_app(app: Flask) -> None:
    """Subscribe to the completions that issue certificates (tasks are found by Celery)."""
    issuing.connect()
