"""HTTP endpoints of admission to runs: quotas, nominations and seat requests."""

from __future__ import annotations

from typing import Any

from flask import url_for

from elearn import policy
from elearn.accounts import administrations
from elearn.accounts.identity import current_actor
from elearn.accounts.models import User
from elearn.courses.models import Course
from elearn.courses.service import authoring
from elearn.enrolments import queries as reading
from elearn.enrolments.models import CourseRun, SeatRequest, SeatRequestStatus
from elearn.enrolments.schemas import (
    EnrolmentSchema,
    NominationSchema,
    QuotaSchema,
    QuotaUpdateSchema,
    SeatRequestDecisionSchema,
    SeatRequestListArgs,
    SeatRequestSchema,
)
from elearn.enrolments.service import admission, runs
from elearn.inputs import Blueprint
from elearn.negotiation import requested_language
from elearn.pagination import paginated

admission_blp = Blueprint(
    "admission",
    __name__,
    url_prefix="/api/v1",
    description="Admission to runs: quotas, nominations, seat requests and their approval",
)


def _visible_run(actor: User, run_id: int) -> tuple[Course, CourseRun]:
    run = runs.find_run(run_id)
    policy.authorize(policy.enrolments.run_visible.check(actor, run), hide=True, what="run")
    return authoring.find_course(run.course_id), run


def _visible_request(actor: User, request_id: int) -> SeatRequest:
    request = admission.find_request(request_id)
    allowed = policy.admission.request_visible.check(actor, request)
    policy.authorize(allowed, hide=True, what="seat request")
    return request


@admission_blp.route("/runs/<int:run_id>/quotas")
@admission_blp.response(200, QuotaSchema(many=True))
def list_quotas(run_id: int) -> list[admission.QuotaView]:
    """Each administration's seats in a nomination run and how many are taken."""
    _, run = _visible_run(current_actor(), run_id)
    return admission.list_quotas(run)


@admission_blp.route("/runs/<int:run_id>/quotas/<code>", methods=["PUT"])
@admission_blp.arguments(QuotaUpdateSchema)
@admission_blp.response(200, QuotaSchema(many=True))
def set_quota(values: dict[str, Any], run_id: int, code: str) -> list[admission.QuotaView]:
    """Set the seats one administration's contact point may fill (owners and admins)."""
    actor = current_actor()
    course, run = _visible_run(actor, run_id)
    policy.authorize(policy.admission.manage_quotas.check(actor, course))
    administration = administrations.get_administration(code)
    admission.set_quota(actor, run, administration, values["seats"])
    return admission.list_quotas(run)


@admission_blp.route("/runs/<int:run_id>/nominations", methods=["POST"])
@admission_blp.arguments(NominationSchema)
@admission_blp.response(200, EnrolmentSchema(many=True))
def nominate(values: dict[str, Any], run_id: int) -> list[reading.EnrolmentView]:
    """Enrol one's officers in a nomination run, all or none, within the quota."""
    actor = current_actor()
    course, run = _visible_run(actor, run_id)
    policy.authorize(policy.admission.nominate.check(actor, course))
    admitted = admission.nominate(actor, course, run, values["user_ids"])
    language = requested_language(None) or actor.language
    return [reading.enrolment_view(entry.enrolment, language) for entry in admitted]


@admission_blp.route("/runs/<int:run_id>/seat-requests", methods=["POST"])
@admission_blp.response(201, SeatRequestSchema)
@admission_blp.alt_response(200, schema=SeatRequestSchema, description="Already requested")
def request_seat(run_id: int) -> tuple[SeatRequest, int, dict[str, str]]:
    """Ask for a seat in an approval run; 200 with the open request if there is one."""
    actor = current_actor()
    course, run = _visible_run(actor, run_id)
    request, opened = admission.request_seat(actor, course, run)
    location = url_for("admission.get_request", request_id=request.id)
    return request, 201 if opened else 200, {"Location": location}


@admission_blp.route("/seat-requests")
@admission_blp.arguments(SeatRequestListArgs, location="query")
@admission_blp.response(200, SeatRequestSchema(many=True))
def list_requests(args: dict[str, Any]) -> Any:
    """Seat requests, oldest first: one's own; a contact point's officers'; a trainer's runs';
    admins all. By default those still to decide."""
    actor = current_actor()
    page = admission.list_requests(actor, args["status"], args.get("run_id"), args["page_request"])
    return paginated(page)


@admission_blp.route("/seat-requests/<int:request_id>")
@admission_blp.response(200, SeatRequestSchema)
def get_request(request_id: int) -> SeatRequest:
    """One seat request (the officer, their contact point, the course's trainers, admins)."""
    return _visible_request(current_actor(), request_id)


@admission_blp.route("/seat-requests/<int:request_id>/approve", methods=["POST"])
@admission_blp.response(200, SeatRequestSchema)
def approve(request_id: int) -> SeatRequest:
    """Approve: the contact point first, then the trainer when the run asks for it."""
    actor = current_actor()
    request = _visible_request(actor, request_id)
    policy.authorize(_deciding_rule(request).check(actor, request))
    return admission.approve(actor, request)


@admission_blp.route("/seat-requests/<int:request_id>/reject", methods=["POST"])
@admission_blp.arguments(SeatRequestDecisionSchema)
@admission_blp.response(200, SeatRequestSchema)
def reject(values: dict[str, Any], request_id: int) -> SeatRequest:
    """Refuse with a reason the officer reads."""
    actor = current_actor()
    request = _visible_request(actor, request_id)
    policy.authorize(_deciding_rule(request).check(actor, request))
    return admission.reject(actor, request, values["reason"])


@admission_blp.route("/seat-requests/<int:request_id>/withdraw", methods=["POST"])
@admission_blp.response(200, SeatRequestSchema)
def withdraw(request_id: int) -> SeatRequest:
    """The officer takes their request back."""
    actor = current_actor()
    request = _visible_request(actor, request_id)
    policy.authorize(policy.admission.withdraw.check(actor, request))
    return admission.withdraw(actor, request)


def _deciding_rule(request: SeatRequest) -> policy.Rule[SeatRequest]:
    """Who decides depends on the stage: the contact point, then the trainer."""
    if request.status == SeatRequestStatus.AWAITING_TRAINER:
        return policy.admission.confirm
    return policy.admission.decide
