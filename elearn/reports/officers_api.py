"""HTTP endpoints of the reports on officers' standing: transcripts and the course matrix."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from elearn import policy
from elearn.accounts import service as accounts
from elearn.accounts.identity import current_actor
from elearn.accounts.models import Administration, User
from elearn.courses.models import Course
from elearn.courses.service import authoring
from elearn.negotiation import requested_language
from elearn.pagination import paginated
from elearn.reports import matrix
from elearn.reports import transcript as transcripts
from elearn.reports.officer_schemas import (
    MatrixArgs,
    MatrixRowSchema,
    TranscriptArgs,
    TranscriptSchema,
)

officers_blp = Blueprint(
    "officer-reports",
    __name__,
    url_prefix="/api/v1",
    description="Officers' standing: transcripts and the course-by-officer matrix",
)


def _transcript_owner(actor: User, user_id: int) -> User:
    user = accounts.find_user(user_id)
    allowed = policy.officer_reports.transcript.check(actor, user)
    policy.authorize(allowed, hide=True, what="user")
    return user


@officers_blp.route("/users/<int:user_id>/transcript")
@officers_blp.arguments(TranscriptArgs, location="query")
@officers_blp.response(200, TranscriptSchema)
def get_transcript(args: dict[str, Any], user_id: int) -> transcripts.Transcript:
    """Every course of one officer: status, dates, grades, certificates (the officer, their
    contact point, admins)."""
    actor = current_actor()
    user = _transcript_owner(actor, user_id)
    language = requested_language(args["lang"]) or user.language
    return transcripts.transcript(user, language)


def _matrix_administration(actor: User, course: Course, code: str | None) -> Administration | None:
    """Editors see any administration or all; a contact point only their own (another: 404)."""
    if policy.courses.edit.check(actor, course):
        return accounts.resolve_administration(code)
    own = actor.administration
    policy.authorize(own is not None and code in (None, own.code), hide=True, what="administration")
    return own


@officers_blp.route("/reports/courses/<int:course_id>/matrix")
@officers_blp.arguments(MatrixArgs, location="query")
@officers_blp.response(200, MatrixRowSchema(many=True))
def course_matrix(args: dict[str, Any], course_id: int) -> Any:
    """Progress and grades of every officer in a course (or run), by name."""
    actor = current_actor()
    course = authoring.find_course(course_id)
    policy.authorize(policy.courses.visible.check(actor, course), hide=True, what="course")
    policy.authorize(policy.officer_reports.course_matrix.check(actor, course))
    administration = _matrix_administration(actor, course, args["administration"])
    page = matrix.course_matrix(
        course,
        administration.id if administration else None,
        args["run_id"],
        args["page_request"],
    )
    return paginated(page)
