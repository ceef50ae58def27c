"""Reports for contact points (their administration) and admins (any administration)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response, send_file

from elearn import policy
from elearn.accounts import administrations
from elearn.accounts.headcounts import Headcount
from elearn.accounts.identity import current_actor
from elearn.accounts.models import Administration
from elearn.inputs import Blueprint
from elearn.negotiation import requested_language
from elearn.pagination import paginated
from elearn.reports import exports, officers, service
from elearn.reports.documents import json_response
from elearn.reports.schemas import (
    AdministrationSummarySchema,
    CsvArgs,
    OfficerCsvArgs,
    OfficerFilterArgs,
    OfficerReportArgs,
    OfficerRowSchema,
    ReportArgs,
)
from elearn.uow import in_one_transaction

reports_blp = Blueprint(
    "reports", __name__, url_prefix="/api/v1/reports", description="Reports for contact points"
)


def _reported_administration(code: str) -> Administration:
    return _authorized(administrations.get_administration(code))


def _reported_with_headcount(code: str) -> tuple[Administration, Headcount]:
    administration, headcount = administrations.get_administration_with_headcount(code)
    return _authorized(administration), headcount


def _authorized(administration: Administration) -> Administration:
    allowed = policy.reports.read_administration.check(current_actor(), administration)
    policy.authorize(allowed, hide=True, what="administration report")
    return administration


def _language(args: dict[str, Any]) -> str:
    return requested_language(args.get("lang")) or current_actor().language


@reports_blp.route("/administrations/<string:code>")
@reports_blp.arguments(ReportArgs, location="query")
@reports_blp.response(200, AdministrationSummarySchema)
def administration_summary(args: dict[str, Any], code: str) -> Response:
    """How the administration's officers are doing: totals and one row per course."""
    administration, headcount = _reported_with_headcount(code)
    summary = service.administration_summary(administration, headcount, _language(args))
    return json_response(summary)


@reports_blp.route("/administrations/<string:code>/trainees")
@reports_blp.arguments(OfficerReportArgs, location="query")
@reports_blp.response(200, OfficerRowSchema(many=True))
def administration_trainees(args: dict[str, Any], code: str) -> Response:
    """One row per officer: enrolment counts, flags, and per course grades and certificate."""
    administration, headcount = _reported_with_headcount(code)
    page = officers.officer_page(
        administration,
        headcount,
        args["criteria"],
        args["sort"],
        _language(args),
        args["page_request"],
    )
    rows, headers = paginated(page)
    return json_response(list(rows), headers)


def _download(
    columns: Sequence[exports.Column],
    rows: Iterable[Any],
    format: exports.Format,
    name: str,
    delimiter: str = "comma",
) -> Response:
    document = exports.export(columns, rows, format, exports.DELIMITERS[delimiter])
    response = send_file(
        document,
        mimetype=exports.MEDIA_TYPES[format],
        as_attachment=True,
        download_name=f"{name}.{format}",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@reports_blp.route("/administrations/<string:code>/enrolments.csv")
@in_one_transaction
@reports_blp.arguments(CsvArgs, location="query")
@reports_blp.response(200, description="CSV (UTF-8 with BOM), one row per enrolment")
def administration_enrolments_csv(args: dict[str, Any], code: str) -> Response:
    """Every enrolment of the administration's people, for a spreadsheet."""
    administration = _reported_administration(code)
    rows = service.enrolment_rows(administration, _language(args))
    name = f"enrolments-{administration.code}"
    return _download(service.ENROLMENT_COLUMNS, rows, exports.Format.CSV, name, args["delimiter"])


@reports_blp.route("/administrations/<string:code>/enrolments.xlsx")
@in_one_transaction
@reports_blp.arguments(ReportArgs, location="query")
@reports_blp.response(200, description="XLSX workbook, one row per enrolment")
def administration_enrolments_xlsx(args: dict[str, Any], code: str) -> Response:
    """Every enrolment of the administration's people, as an Excel workbook."""
    administration = _reported_administration(code)
    rows = service.enrolment_rows(administration, _language(args))
    name = f"enrolments-{administration.code}"
    return _download(service.ENROLMENT_COLUMNS, rows, exports.Format.XLSX, name)


@reports_blp.route("/administrations/<string:code>/trainees.csv")
@in_one_transaction
@reports_blp.arguments(OfficerCsvArgs, location="query")
@reports_blp.response(200, description="CSV (UTF-8 with BOM), one row per officer")
def administration_trainees_csv(args: dict[str, Any], code: str) -> Response:
    """The per-officer report (same filters and order), for a spreadsheet."""
    administration = _reported_administration(code)
    rows = officers.officer_rows(administration, args["criteria"], args["sort"])
    name = f"trainees-{administration.code}"
    return _download(officers.OFFICER_COLUMNS, rows, exports.Format.CSV, name, args["delimiter"])


@reports_blp.route("/administrations/<string:code>/trainees.xlsx")
@in_one_transaction
@reports_blp.arguments(OfficerFilterArgs, location="query")
@reports_blp.response(200, description="XLSX workbook, one row per officer")
def administration_trainees_xlsx(args: dict[str, Any], code: str) -> Response:
    """The per-officer report (same filters and order), as an Excel workbook."""
    administration = _reported_administration(code)
    rows = officers.officer_rows(administration, args["criteria"], args["sort"])
    name = f"trainees-{administration.code}"
    return _download(officers.OFFICER_COLUMNS, rows, exports.Format.XLSX, name)
