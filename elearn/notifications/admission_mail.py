"""Mail to officers about their seat requests: one notification per decision."""

from __future__ import annotations

from elearn.enrolments.models import SeatRequest
from elearn.enrolments.signals import seat_request_decided
from elearn.extensions import db
from elearn.notifications import service


def mail_seat_request_decision(request_id: int, *, decision: str) -> None:
    """Tell the officer what was decided, in their language (one mail per decision)."""
    request = db.session.get(SeatRequest, request_id)
    if request is None:
        return
    officer = request.user
    run = request.run
    context = {
        "course_title": run.course.title_in(officer.language),
        "run_name": run.name,
        "reason": request.reason or "",
    }
    stamp = f"{request.decided_at:%Y%m%d%H%M%S%f}"
    service.notify(
        officer,
        f"seat_request_{decision}",
        context,
        f"seat_request:{request.id}:{decision}:{stamp}",
    )


def connect() -> None:
    """Subscribe the receivers (idempotent: blinker keeps one connection per receiver)."""
    seat_request_decided.connect(mail_seat_request_decision, weak=False)
