"""HTTP endpoints of course runs, enrolments, bulk enrolment and lesson progress."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from flask.views import MethodView
from werkzeug.datastructures import CombinedMultiDict

from elearn import policy
from elearn.accounts import service as accounts
from elearn.accounts.identity import about_caller, current_actor
from elearn.accounts.models import Administration, User
from elearn.config import current_settings
from elearn.courses.models import Course
from elearn.courses.service import authoring
from elearn.csv_upload import uploaded_csv
from elearn.enrolments import queries as reading
from elearn.enrolments.admission_api import admission_blp
from elearn.enrolments.assignments_api import assignments_blp
from elearn.enrolments.models import CourseRun, Enrolment
from elearn.enrolments.schemas import (
    AdministrationEnrolmentArgs,
    BulkEnrolSchema,
    BulkResultSchema,
    BulkUploadSchema,
    EnrolmentListArgs,
    EnrolmentSchema,
    EnrolmentUpdateSchema,
    EnrolSchema,
    LanguageArgs,
    RunCreateSchema,
    RunSchema,
    RunUpdateSchema,
    enrolment_document,
)
from elearn.enrolments.service import bulk, changes, enrolling, progress, runs
from elearn.inputs import Blueprint
from elearn.negotiation import requested_or_own_language
from elearn.pagination import PageArgs, paginated
from elearn.schemas import load_or_invalid

runs_blp = Blueprint("course-runs", __name__, url_prefix="/api/v1", description="Course runs")
enrolments_blp = Blueprint(
    "enrolments", __name__, url_prefix="/api/v1", description="Enrolments and progress"
)

Created = tuple[reading.EnrolmentView, int, dict[str, str]]


def _visible_course(actor: User, course_id: int) -> Course:
    course = authoring.find_course(course_id)
    policy.authorize(policy.courses.visible.check(actor, course), hide=True, what="course")
    return course


def _visible_run(actor: User, run_id: int) -> tuple[Course, CourseRun]:
    run = runs.find_run(run_id)
    course = authoring.find_course(run.course_id)
    policy.authorize(policy.enrolments.run_visible.check(actor, run), hide=True, what="run")
    return course, run


def _visible_enrolment(actor: User, enrolment_id: int) -> Enrolment:
    enrolment = changes.find_enrolment(enrolment_id)
    policy.authorize(policy.enrolments.visible.check(actor, enrolment), hide=True, what="enrolment")
    return enrolment


# course runs


@runs_blp.route("/courses/<int:course_id>/runs")
class CourseRuns(MethodView):
    @runs_blp.arguments(PageArgs, location="query")
    @runs_blp.response(200, RunSchema(many=True))
    def get(self, args: dict[str, Any], course_id: int) -> Any:
        """The course's runs the caller may see, soonest first (everyone who sees the course)."""
        actor = current_actor()
        course = _visible_course(actor, course_id)
        return paginated(runs.list_runs(actor, course, args["page_request"]))

    @runs_blp.arguments(RunCreateSchema)
    @runs_blp.response(201, RunSchema)
    def post(self, values: dict[str, Any], course_id: int) -> runs.RunView:
        """Add a run: dates, capacity, admitted administrations (owners and admins)."""
        actor = current_actor()
        course = _visible_course(actor, course_id)
        policy.authorize(policy.enrolments.manage_runs.check(actor, course))
        return runs.run_view(runs.create_run(actor, course, values))


@runs_blp.route("/runs/<int:run_id>")
class RunItem(MethodView):
    @runs_blp.response(200, RunSchema)
    def get(self, run_id: int) -> runs.RunView:
        """One run with its seats taken."""
        _, run = _visible_run(current_actor(), run_id)
        return runs.run_view(run)

    @runs_blp.arguments(RunUpdateSchema)
    @runs_blp.response(200, RunSchema)
    def patch(self, values: dict[str, Any], run_id: int) -> runs.RunView:
        """Edit a run; enrolments that kept the run's due date follow a new one."""
        actor = current_actor()
        course, run = _visible_run(actor, run_id)
        policy.authorize(policy.enrolments.manage_runs.check(actor, course))
        return runs.run_view(runs.update_run(actor, course, run, values))


# enrolments


@enrolments_blp.route("/courses/<int:course_id>/enrolments")
class CourseEnrolments(MethodView):
    @enrolments_blp.arguments(AdministrationEnrolmentArgs, location="query")
    @enrolments_blp.response(200, EnrolmentSchema(many=True))
    def get(self, args: dict[str, Any], course_id: int) -> Any:
        """The course's enrolments with progress (owners, admins; contact points: their own)."""
        actor = current_actor()
        course = _visible_course(actor, course_id)
        policy.authorize(policy.enrolments.course_enrolments.check(actor, course))
        administration = accounts.resolve_administration(args.get("administration"))
        criteria = _criteria(args, administration, course_id=course.id)
        return paginated(
            reading.list_enrolments(
                actor,
                criteria,
                requested_or_own_language(actor.language, args["lang"]),
                args["page_request"],
            )
        )

    @enrolments_blp.arguments(EnrolSchema)
    @enrolments_blp.response(201, EnrolmentSchema)
    @enrolments_blp.alt_response(200, schema=EnrolmentSchema, description="Already enrolled")
    def post(self, body: dict[str, Any], course_id: int) -> Created:
        """Enrol oneself (in a run when the course has runs); 200 with it if already enrolled."""
        actor = current_actor()
        course = _visible_course(actor, course_id)
        policy.authorize(policy.enrolments.self_enrol.check(actor, course))
        admission = enrolling.enrol_self(actor, course, body["run_id"])
        view = reading.enrolment_view(
            admission.enrolment, requested_or_own_language(actor.language)
        )
        location = url_for("enrolments.EnrolmentItem", enrolment_id=view.enrolment.id)
        return view, 201 if admission.enrolled else 200, {"Location": location}


@enrolments_blp.route("/enrolments")
@enrolments_blp.arguments(AdministrationEnrolmentArgs, location="query")
@enrolments_blp.response(200, EnrolmentSchema(many=True))
def list_enrolments(args: dict[str, Any]) -> Any:
    """An administration's enrolments (contact points: their own; admins: any or all)."""
    actor = current_actor()
    administration = accounts.resolve_administration(args.get("administration"))
    criteria = _criteria(args, administration, course_id=args.get("course_id"))
    policy.authorize(
        policy.enrolments.can_list_enrolments(actor, administration),
        hide=administration is not None,
        what="administration",
    )
    return paginated(
        reading.list_enrolments(
            actor,
            criteria,
            requested_or_own_language(actor.language, args["lang"]),
            args["page_request"],
        )
    )


def _criteria(
    args: dict[str, Any], administration: Administration | None, *, course_id: int | None
) -> reading.EnrolmentFilter:
    return reading.EnrolmentFilter(
        status=args.get("status"),
        administration_id=administration.id if administration else None,
        course_id=course_id,
    )


def _own_enrolments(actor: User) -> tuple[dict[str, int | None], str]:
    """What the caller's own list needs of them: the facts its rule takes, their language."""
    return policy.actor_parameters(actor), actor.language


@enrolments_blp.route("/me/enrolments")
@enrolments_blp.arguments(EnrolmentListArgs, location="query")
@enrolments_blp.response(200, EnrolmentSchema(many=True))
def my_enrolments(args: dict[str, Any]) -> Any:
    """The caller's enrolments: course title, progress, due date, status, lesson to resume."""
    holder, own_language = about_caller(_own_enrolments)
    language = requested_or_own_language(own_language, args["lang"])
    page = reading.list_my_enrolments(
        holder, args.get("status"), language, args["page_request"], enrolment_document
    )
    documents, headers = paginated(page)
    return jsonify(documents), headers


@enrolments_blp.route("/enrolments/<int:enrolment_id>")
class EnrolmentItem(MethodView):
    @enrolments_blp.arguments(LanguageArgs, location="query")
    @enrolments_blp.response(200, EnrolmentSchema)
    def get(self, args: dict[str, Any], enrolment_id: int) -> reading.EnrolmentView:
        """One enrolment (the trainee, their contact point, the course's trainers, admins)."""
        actor = current_actor()
        enrolment = _visible_enrolment(actor, enrolment_id)
        return reading.enrolment_view(
            enrolment, requested_or_own_language(actor.language, args["lang"])
        )

    @enrolments_blp.arguments(EnrolmentUpdateSchema)
    @enrolments_blp.response(200, EnrolmentSchema)
    def patch(self, body: dict[str, Any], enrolment_id: int) -> reading.EnrolmentView:
        """Withdraw (``status``: withdrawn) or set the trainee's due date (``due_at``)."""
        actor = current_actor()
        enrolment = _visible_enrolment(actor, enrolment_id)
        if "status" in body:
            policy.authorize(policy.enrolments.withdraw.check(actor, enrolment))
        else:
            policy.authorize(policy.enrolments.change_due_date.check(actor, enrolment))
        changes.change_enrolment(actor, enrolment, body)
        return reading.enrolment_view(enrolment, requested_or_own_language(actor.language))


@enrolments_blp.route(
    "/enrolments/<int:enrolment_id>/lessons/<int:lesson_id>/complete", methods=["POST"]
)
@enrolments_blp.response(200, EnrolmentSchema)
def complete_lesson(enrolment_id: int, lesson_id: int) -> reading.EnrolmentView:
    """Mark a lesson done (idempotent); quiz lessons are completed by passing their quiz."""
    actor = current_actor()
    enrolment = _visible_enrolment(actor, enrolment_id)
    policy.authorize(policy.enrolments.held.check(actor, enrolment))
    progress.complete_lesson(enrolment, lesson_id)
    return reading.enrolment_view(enrolment, requested_or_own_language(actor.language))


# bulk enrolment

BULK_REQUEST_BODY = {
    "content": {
        "application/json": {"schema": BulkEnrolSchema},
        "multipart/form-data": {"schema": BulkUploadSchema},
    }
}


@enrolments_blp.route("/enrolments/bulk", methods=["POST"])
@enrolments_blp.doc(requestBody=BULK_REQUEST_BODY)
@enrolments_blp.response(200, BulkResultSchema)
def bulk_enrol() -> bulk.BulkResult:
    """Enrol many people: JSON user ids or emails, or a CSV upload; every row's outcome."""
    actor = current_actor()
    body = _bulk_request()
    course = _visible_course(actor, body["course_id"])
    policy.authorize(policy.enrolments.bulk_enrol.check(actor, course))
    return bulk.bulk_enrol(actor, course, body["run_id"], body["people"])


def _bulk_request() -> dict[str, Any]:
    """The bulk request from a JSON body or from a multipart upload of a CSV file."""
    if request.mimetype != "multipart/form-data":
        return load_or_invalid(BulkEnrolSchema(), request.get_json(silent=True))
    max_rows = current_settings().bulk_enrolment_max_rows
    data = uploaded_csv(max_rows)
    body = load_or_invalid(BulkUploadSchema(), CombinedMultiDict([request.form, request.files]))
    del body["file"]
    body["people"] = bulk.People(emails=bulk.read_email_csv(data, max_rows))
    return body


BLUEPRINTS = (runs_blp, enrolments_blp, admission_blp, assignments_blp)
