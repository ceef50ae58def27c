"""HTTP endpoints of the reports on officers' standing: transcripts and the course matrix."""

from __future__ import annotations

from typing import Any

from flask import redirect, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from elearn import policy
from elearn.accounts import service as accounts
from elearn.accounts.identity import current_actor
from elearn.accounts.models import Administration, User
from elearn.courses.models import Course
from elearn.courses.service import authoring
from elearn.inputs import Blueprint
from elearn.negotiation import requested_language
from elearn.pagination import paginated
from elearn.reports import matrix, transcript_documents
from elearn.reports import transcript as transcripts
from elearn.reports.models import DocumentStatus, TranscriptDocument
from elearn.reports.officer_schemas import (
    MatrixArgs,
    MatrixRowSchema,
    TranscriptArgs,
    TranscriptDocumentSchema,
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


@officers_blp.route("/users/<int:user_id>/transcript/pdf", methods=["POST"])
@officers_blp.response(202, TranscriptDocumentSchema)
def request_transcript_pdf(user_id: int) -> tuple[TranscriptDocument, int, dict[str, str]]:
    """Render the transcript as a PDF in the officer's language, in the background; poll the
    ``Location`` until it redirects to the file."""
    actor = current_actor()
    user = _transcript_owner(actor, user_id)
    document = transcript_documents.request_pdf(actor, user)
    location = url_for(
        "officer-reports.get_transcript_pdf", user_id=user.id, document_id=document.id
    )
    return document, 202, {"Location": location}


@officers_blp.route("/users/<int:user_id>/transcript/pdf/<int:document_id>")
@officers_blp.response(302, description="Redirect to a short-lived download of the PDF")
@officers_blp.alt_response(202, schema=TranscriptDocumentSchema, description="Still rendering")
def get_transcript_pdf(user_id: int, document_id: int) -> Any:
    """The rendered PDF (302), 202 while it renders, 409 when rendering failed."""
    user = _transcript_owner(current_actor(), user_id)
    document = transcript_documents.find_document(user, document_id)
    if document.status == DocumentStatus.PENDING:
        return TranscriptDocumentSchema().dump(document), 202
    response: WerkzeugResponse = redirect(transcript_documents.download_url(document), 302)
    response.headers["Cache-Control"] = "no-store"
    return response


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
