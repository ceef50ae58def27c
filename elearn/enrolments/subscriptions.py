"""What the signals of lower domains mean for enrolments (connected by ``create_app``)."""

from __future__ import annotations

from elearn.accounts.signals import user_joined_administration
from elearn.enrolments.service import assignments


def connect() -> None:
    """Enrol officers who join an administration in its open assignments (idempotent)."""
    user_joined_administration.connect(assignments.enrol_newcomer, weak=False)
