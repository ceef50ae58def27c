"""HTTP endpoints of mandatory assignments and their compliance."""

from __future__ import annotations

from typing import Any

from flask import url_for

from elearn import policy
from elearn.accounts import administrations
from elearn.accounts.identity import current_actor
from elearn.accounts.models import Administration, User
from elearn.courses.service import authoring
from elearn.enrolments.models import Assignment
from elearn.enrolments.schemas import AssignmentCreateSchema, AssignmentSchema, ComplianceSchema
from elearn.enrolments.service import assignments, enrolling
from elearn.errors import Invalid
from elearn.inputs import Blueprint
from elearn.pagination import PageArgs, paginated

assignments_blp = Blueprint(
    "assignments",
    __name__,
    url_prefix="/api/v1",
    description="Mandatory assignments of courses to an administration's officers",
)


def _administration(actor: User, code: str | None) -> Administration:
    """The named administration, or the contact point's own; one they may not assign for: 404."""
    if code is None:
        if actor.administration is None:
            raise Invalid(
                "Name the administration.", errors={"administration": ["Missing data for field."]}
            )
        administration = actor.administration
    else:
        administration = administrations.get_administration(code)
    allowed = policy.assignments.assign.check(actor, administration)
    policy.authorize(allowed, hide=code is not None, what="administration")
    return administration


def _visible_assignment(actor: User, assignment_id: int) -> Assignment:
    assignment = assignments.find_assignment(assignment_id)
    allowed = policy.assignments.visible.check(actor, assignment)
    policy.authorize(allowed, hide=True, what="assignment")
    return assignment


@assignments_blp.route("/assignments", methods=["POST"])
@assignments_blp.arguments(AssignmentCreateSchema)
@assignments_blp.response(201, AssignmentSchema)
def create_assignment(body: dict[str, Any]) -> tuple[Assignment, int, dict[str, str]]:
    """Assign a course (or one run of it) to every officer of the administration, to a list or
    to the officers of one unit, with a target date; all or nothing (contact points: their own;
    admins: any)."""
    actor = current_actor()
    administration = _administration(actor, body["administration"])
    course = authoring.find_course(body["course_id"])
    run = enrolling.choose_run(course, body["run_id"])
    coverage = assignments.Coverage(body["target"], body.get("user_ids", ()), body.get("unit"))
    assignment = assignments.assign(actor, administration, course, run, body["due_at"], coverage)
    location = url_for("assignments.get_assignment", assignment_id=assignment.id)
    return assignment, 201, {"Location": location}


@assignments_blp.route("/assignments")
@assignments_blp.arguments(PageArgs, location="query")
@assignments_blp.response(200, AssignmentSchema(many=True))
def list_assignments(args: dict[str, Any]) -> Any:
    """Assignments, soonest target date first (contact points: their own; admins: all)."""
    return paginated(assignments.list_assignments(current_actor(), args["page_request"]))


@assignments_blp.route("/assignments/<int:assignment_id>")
@assignments_blp.response(200, AssignmentSchema)
def get_assignment(assignment_id: int) -> Assignment:
    """One assignment."""
    return _visible_assignment(current_actor(), assignment_id)


@assignments_blp.route("/assignments/<int:assignment_id>/compliance")
@assignments_blp.response(200, ComplianceSchema)
def get_compliance(assignment_id: int) -> assignments.Compliance:
    """How many are assigned, completed on time, completed late, in progress, not started."""
    assignment = _visible_assignment(current_actor(), assignment_id)
    return assignments.compliance(assignment)
