"""The audit trail, for admins."""

from __future__ import annotations

from typing import Any

from elearn import policy
from elearn.accounts.identity import current_actor
from elearn.audit import service
from elearn.audit.schemas import AuditEventSchema, AuditListArgs
from elearn.inputs import Blueprint
from elearn.pagination import paginated

audit_blp = Blueprint(
    "audit", __name__, url_prefix="/api/v1/audit-events", description="Audit trail"
)


@audit_blp.route("")
@audit_blp.arguments(AuditListArgs, location="query")
@audit_blp.response(200, AuditEventSchema(many=True))
def list_audit_events(args: dict[str, Any]) -> Any:
    """Audit events, newest first (admins)."""
    policy.authorize(policy.audit.list_events.check(current_actor()))
    return paginated(service.list_events(args["criteria"], args["page_request"]))
