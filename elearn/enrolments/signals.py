"""Signals of the enrolments domain; higher domains (certificates, notifications) subscribe."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

enrolment_completed = _signals.signal(
    "enrolments.enrolment-completed",
    doc="Sent once per enrolment, inside the transaction that completes it; sender=enrolment id.",
)

enrolment_started = _signals.signal(
    "enrolments.enrolment-started",
    doc="An enrolment became active (new, or reactivated after withdrawal or expiry), inside "
    "that transaction; sender=enrolment id.",
)

due_date_changed = _signals.signal(
    "enrolments.due-date-changed",
    doc="An active enrolment got another due date, inside that transaction; sender=enrolment "
    "id, ``previous``=the old due date (or None).",
)

enrolment_expired = _signals.signal(
    "enrolments.enrolment-expired",
    doc="An enrolment passed its due date unfinished and became expired, inside that "
    "transaction; sender=enrolment id, ``due_at``=the date it missed.",
)

seat_request_decided = _signals.signal(
    "enrolments.seat-request-decided",
    doc=(
        "Sent inside the transaction that decides a seat request; sender=request id, keyword"
        " ``decision``: approved, forwarded (to the trainer) or rejected."
    ),
)
