"""Fixtures of the audit tests: courses and runs arranged as the enrolment tests arrange them."""

from tests.enrolments.conftest import frozen, learning

__all__ = ["frozen", "learning"]
