"""Signals of the enrolments domain; higher domains (certificates, notifications) subscribe."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

enrolment_completed = _signals.signal(
    "enrolments.enrolment-completed",
    doc="Sent once per enrolment, inside the transaction that completes it; sender=enrolment id.",
)

seat_request_decided = _signals.signal(
    "enrolments.seat-request-decided",
    doc=(
        "Sent inside the transaction that decides a seat request; sender=request id, keyword"
        " ``decision``: approved, forwarded (to the trainer) or rejected."
    ),
)
