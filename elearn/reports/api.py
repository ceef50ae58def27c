"""Reports for contact points (their administration) and admins (any administration)."""

from __future__ import annotations

from dataclasses import astuple
from typing import Any

from flask import Response
from flask_smorest import Blueprint

from elearn import policy
from elearn.accounts import service as accounts
from elearn.accounts.identity import current_actor
from elearn.accounts.models import Administration
from elearn.negotiation import requested_language
from elearn.reports import service
from elearn.reports.csv_export import csv_lines
from elearn.reports.schemas import AdministrationSummarySchema, ReportArgs

reports_blp = Blueprint(
    "reports", __name__, url_prefix="/api/v1/reports", description="Reports for contact points"
)

ENROLMENT_COLUMNS = (
    "trainee",
    "email",
    "course_code",
    "course_title",
    "status",
    "progress_percent",
    "enrolled_at",
    "due_at",
    "completed_at",
    "last_activity_at",
)


def _reported_administration(code: str) -> Administration:
    actor = current_actor()
    administration = accounts.get_administration(code)
    allowed = policy.reports.read_administration.check(actor, administration)
    policy.authorize(allowed, hide=True, what="administration report")
    return administration


def _language(args: dict[str, Any]) -> str:
    return requested_language(args.get("lang")) or current_actor().language


@reports_blp.route("/administrations/<string:code>")
@reports_blp.arguments(ReportArgs, location="query")
@reports_blp.response(200, AdministrationSummarySchema)
def administration_summary(args: dict[str, Any], code: str) -> service.AdministrationSummary:
    """How the administration's officers are doing: totals and one row per course."""
    administration = _reported_administration(code)
    return service.administration_summary(administration, _language(args))


@reports_blp.route("/administrations/<string:code>/enrolments.csv")
@reports_blp.arguments(ReportArgs, location="query")
@reports_blp.response(200, description="CSV (UTF-8 with BOM), one row per enrolment")
def administration_enrolments_csv(args: dict[str, Any], code: str) -> Response:
    """Every enrolment of the administration's people, for a spreadsheet."""
    administration = _reported_administration(code)
    rows = service.enrolment_rows(administration, _language(args))
    # Built inside the request's transaction: an administration's rows are a few MiB at most.
    body = "".join(csv_lines(ENROLMENT_COLUMNS, (astuple(row) for row in rows)))
    filename = f"enrolments-{administration.code}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
