"""Mail kinds of admission to runs: the decisions on an officer's seat request.

Their templates need nothing beyond the stored context (course title, run name, reason).
"""

from __future__ import annotations

from typing import Any

from elearn.notifications.models import Notification


def _context_only(notification: Notification) -> dict[str, Any]:
    return {}


ADMISSION_KINDS = {
    "seat_request_approved": _context_only,
    "seat_request_forwarded": _context_only,
    "seat_request_rejected": _context_only,
}
