"""Audit events about enrolments, filed under the trainee's administration."""

from __future__ import annotations

from typing import Any

from elearn.accounts.models import User
from elearn.audit import service as audit_log
from elearn.enrolments.models import Enrolment


def record(actor: User | None, enrolment: Enrolment, action: str, **details: Any) -> None:
    """Add an audit event for ``enrolment`` to the current transaction (actor None: the system)."""
    audit_log.record(
        actor,
        action,
        "enrolment",
        enrolment.id,
        administration_id=enrolment.user.administration_id,
        user_id=enrolment.user_id,
        course_id=enrolment.course_id,
        run_id=enrolment.run_id,
        **details,
    )
