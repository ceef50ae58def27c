"""Request and response shapes of course runs, enrolments, bulk enrolment and progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma
from flask_smorest.fields import Upload

from elearn.accounts.schemas import administration_code_field
from elearn.config import current_settings
from elearn.courses.queries.syllabi import Syllabus
from elearn.courses.schemas import ContentLanguage, idle_after_days_field, reminder_offsets_field
from elearn.enrolments import queries as reading
from elearn.enrolments.models import (
    OPEN_REQUEST_STATUSES,
    AssignmentTarget,
    EnrolmentStatus,
    RunAdmission,
    SeatRequestStatus,
)
from elearn.enrolments.service.bulk import People
from elearn.pagination import PageArgs
from elearn.schemas import ChangesSchema, Id, Integer, StrictSchema, text


def _date(**kwargs: Any) -> ma.fields.AwareDateTime:
    return ma.fields.AwareDateTime(allow_none=True, **kwargs)


# course runs


class RunUpdateSchema(ChangesSchema):
    name = text(200)
    enrolment_opens_at = _date()
    enrolment_closes_at = _date()
    starts_at = _date()
    ends_at = _date()
    due_at = _date()
    capacity = Integer(allow_none=True, validate=ma.validate.Range(min=1))
    reminder_offsets_days = reminder_offsets_field(allow_none=True)
    idle_after_days = idle_after_days_field(allow_none=True)
    administrations = ma.fields.List(
        administration_code_field(),
        validate=ma.validate.Length(max=100),
        metadata={"description": "Only these administrations' officers; empty: everyone"},
    )
    admission = ma.fields.Enum(
        RunAdmission,
        by_value=True,
        metadata={
            "description": "open: people enrol; nomination: contact points nominate within"
            " quotas; approval: officers request a seat and their contact point decides"
        },
    )
    trainer_confirms = ma.fields.Boolean(
        metadata={"description": "Approval runs: the trainer confirms after the contact point"}
    )


class RunCreateSchema(RunUpdateSchema):
    name = text(200, required=True)


class RunSchema(ma.Schema):
    id = Id(attribute="run.id")
    course_id = Id(attribute="run.course_id")
    name = ma.fields.String(attribute="run.name")
    enrolment_opens_at = ma.fields.AwareDateTime(
        allow_none=True, attribute="run.enrolment_opens_at"
    )
    enrolment_closes_at = ma.fields.AwareDateTime(
        allow_none=True, attribute="run.enrolment_closes_at"
    )
    starts_at = ma.fields.AwareDateTime(allow_none=True, attribute="run.starts_at")
    ends_at = ma.fields.AwareDateTime(allow_none=True, attribute="run.ends_at")
    due_at = ma.fields.AwareDateTime(allow_none=True, attribute="run.due_at")
    capacity = Integer(attribute="run.capacity", allow_none=True)
    reminder_offsets_days = ma.fields.List(
        Integer(),
        attribute="run.reminder_offsets_days",
        allow_none=True,
        metadata={"description": "null: the course's"},
    )
    idle_after_days = Integer(
        attribute="run.idle_after_days",
        allow_none=True,
        metadata={"description": "null: the course's"},
    )
    seats_taken = Integer()
    administrations = ma.fields.List(ma.fields.String(), attribute="run.administration_codes")
    admission = ma.fields.String(attribute="run.admission")
    trainer_confirms = ma.fields.Boolean(attribute="run.trainer_confirms")


# enrolments


class EnrolSchema(StrictSchema):
    run_id = Id(load_default=None, allow_none=True)


class EnrolmentUpdateSchema(StrictSchema):
    status = ma.fields.Enum(
        EnrolmentStatus,
        by_value=True,
        validate=ma.validate.OneOf([EnrolmentStatus.WITHDRAWN]),
        metadata={"description": "Only 'withdrawn'"},
    )
    due_at = ma.fields.AwareDateTime(metadata={"description": "A new due date, in the future"})

    @ma.validates_schema
    def _one_change(self, data: dict[str, Any], **_: Any) -> None:
        if len(data) != 1:
            raise ma.ValidationError("Send exactly one of status and due_at.", "_schema")


class EnrolmentListArgs(PageArgs):
    status = ma.fields.Enum(EnrolmentStatus, by_value=True)
    lang = ContentLanguage(load_default=None, metadata={"description": "Course title language"})


class AdministrationEnrolmentArgs(EnrolmentListArgs):
    administration = administration_code_field()
    course_id = Id()


class LanguageArgs(ma.Schema):
    lang = ContentLanguage(load_default=None, metadata={"description": "Course title language"})


class TraineeSchema(ma.Schema):
    id = Id()
    full_name = ma.fields.String()
    email = ma.fields.String()
    administration = ma.fields.Function(
        lambda user: user.administration.code if user.administration else None
    )


class CourseRefSchema(ma.Schema):
    id = Id()
    slug = ma.fields.String()
    title = ma.fields.String()
    language = ma.fields.String(metadata={"description": "The language of the title"})


class RunRefSchema(ma.Schema):
    id = Id()
    name = ma.fields.String()
    starts_at = ma.fields.AwareDateTime(allow_none=True)
    ends_at = ma.fields.AwareDateTime(allow_none=True)


class LessonRefSchema(ma.Schema):
    id = Id()
    kind = ma.fields.String()
    title = ma.fields.String()


class EnrolmentSchema(ma.Schema):
    id = Id(attribute="enrolment.id")
    status = ma.fields.String(attribute="enrolment.status")
    source = ma.fields.String(attribute="enrolment.source")
    progress_percent = Integer(attribute="enrolment.progress_percent")
    enrolled_at = ma.fields.AwareDateTime(attribute="enrolment.enrolled_at")
    due_at = ma.fields.AwareDateTime(allow_none=True, attribute="enrolment.due_at")
    started_at = ma.fields.AwareDateTime(allow_none=True, attribute="enrolment.started_at")
    last_activity_at = ma.fields.AwareDateTime(
        allow_none=True, attribute="enrolment.last_activity_at"
    )
    completed_at = ma.fields.AwareDateTime(allow_none=True, attribute="enrolment.completed_at")
    trainee = ma.fields.Nested(TraineeSchema, attribute="enrolment.user")
    course = ma.fields.Nested(CourseRefSchema)
    run = ma.fields.Nested(RunRefSchema, attribute="enrolment.run", allow_none=True)
    next_lesson = ma.fields.Nested(
        LessonRefSchema,
        allow_none=True,
        metadata={"description": "The first lesson not yet completed (own active enrolments)"},
    )


def enrolment_document(row: Any, course: Syllabus, language: str) -> dict[str, Any]:
    """What ``EnrolmentSchema`` dumps, written out from a row of ``reading.list_my_enrolments``
    and its course's syllabus: a trainee's list is served without the schema, or any record
    between row and document, whose making was a good part of the request."""
    shown_in = course.language(language)
    lesson = reading.lesson_to_resume(row, course)
    return {
        "id": row.id,
        "status": row.status,
        "source": row.source,
        "progress_percent": row.progress_percent,
        "enrolled_at": row.enrolled_at.isoformat(),
        "due_at": _iso(row.due_at),
        "started_at": _iso(row.started_at),
        "last_activity_at": _iso(row.last_activity_at),
        "completed_at": _iso(row.completed_at),
        "trainee": {
            "id": row.user_id,
            "full_name": row.full_name,
            "email": row.email,
            "administration": row.administration_code,
        },
        "course": {
            "id": course.id,
            "slug": course.slug,
            "title": course.title(language),
            "language": shown_in,
        },
        "run": None
        if row.run_id is None
        else {
            "id": row.run_id,
            "name": row.run_name,
            "starts_at": _iso(row.run_starts_at),
            "ends_at": _iso(row.run_ends_at),
        },
        "next_lesson": None
        if lesson is None
        else {"id": lesson.id, "kind": lesson.kind, "title": lesson.title(shown_in)},
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


# bulk enrolment


class BulkEnrolSchema(StrictSchema):
    course_id = Id(required=True)
    run_id = Id(load_default=None, allow_none=True)
    user_ids = ma.fields.List(Id(), validate=ma.validate.Length(min=1))
    emails = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(max=254)), validate=ma.validate.Length(min=1)
    )

    @ma.validates_schema
    def _one_list(self, data: dict[str, Any], **_: Any) -> None:
        if ("user_ids" in data) == ("emails" in data):
            raise ma.ValidationError("Send exactly one of user_ids and emails.", "_schema")
        rows = len(data.get("user_ids") or data.get("emails") or ())
        limit = current_settings().bulk_enrolment_max_rows
        if rows > limit:
            raise ma.ValidationError(f"At most {limit:,} people per call.", "_schema")

    @ma.post_load
    def _to_people(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["people"] = People(
            user_ids=data.pop("user_ids", None) or (), emails=data.pop("emails", None) or ()
        )
        return data


class BulkUploadSchema(ma.Schema):
    """The multipart form of a bulk enrolment: the CSV file beside the course and run."""

    course_id = Id(required=True)
    run_id = Id(load_default=None)
    file = Upload(
        required=True,
        metadata={"description": "UTF-8 CSV (BOM allowed) with a header naming 'email'"},
    )


class BulkRowSchema(ma.Schema):
    row = Integer()
    email = ma.fields.String()
    user_id = Id(allow_none=True)
    outcome = ma.fields.String()
    enrolment_id = Id(allow_none=True)


class BulkResultSchema(ma.Schema):
    course_id = Id()
    run_id = Id(allow_none=True)
    counts = ma.fields.Dict(keys=ma.fields.String(), values=Integer())
    rows = ma.fields.List(ma.fields.Nested(BulkRowSchema))


# admission: quotas, nominations, seat requests


class QuotaUpdateSchema(StrictSchema):
    seats = Integer(required=True, validate=ma.validate.Range(min=0, max=100_000))


class QuotaSchema(ma.Schema):
    administration = ma.fields.String(attribute="administration.code")
    seats = Integer()
    seats_taken = Integer()


class NominationSchema(StrictSchema):
    user_ids = ma.fields.List(Id(), required=True, validate=ma.validate.Length(min=1, max=500))


class SeatRequestDecisionSchema(StrictSchema):
    reason = text(2000, required=True, metadata={"description": "Told to the officer"})


class SeatRequestListArgs(PageArgs):
    status = ma.fields.List(
        ma.fields.Enum(SeatRequestStatus, by_value=True),
        load_default=list(OPEN_REQUEST_STATUSES),
        metadata={"description": "Default: the requests still to decide"},
    )
    run_id = Integer()


class SeatRequestSchema(ma.Schema):
    id = Integer()
    status = ma.fields.String()
    run = ma.fields.Nested(RunRefSchema)
    course_id = Integer(attribute="run.course_id")
    officer = ma.fields.Nested(TraineeSchema, attribute="user")
    requested_at = ma.fields.AwareDateTime()
    decided_at = ma.fields.AwareDateTime()
    decided_by_id = Integer()
    reason = ma.fields.String()


# mandatory assignments


class AssignmentCreateSchema(StrictSchema):
    course_id = Integer(required=True)
    run_id = Integer(load_default=None, allow_none=True)
    administration = administration_code_field(
        load_default=None, metadata={"description": "Default: the contact point's own"}
    )
    target = ma.fields.Enum(AssignmentTarget, by_value=True, required=True)
    user_ids = ma.fields.List(
        Integer(),
        validate=ma.validate.Length(min=1, max=5000),
        metadata={"description": "With target 'list' only"},
    )
    unit = text(200, metadata={"description": "With target 'unit' only: the officers' unit"})
    due_at = ma.fields.AwareDateTime(required=True, metadata={"description": "The target date"})

    @ma.validates_schema
    def _whom_for_the_target(self, data: dict[str, Any], **_: Any) -> None:
        for target, field in ((AssignmentTarget.LIST, "user_ids"), (AssignmentTarget.UNIT, "unit")):
            if (data.get("target") == target) != (field in data):
                raise ma.ValidationError(f"Send {field} with target '{target}' only.", field)


class AssignmentSchema(ma.Schema):
    id = Integer()
    administration = ma.fields.Function(lambda a: a.administration.code)
    course_id = Integer()
    run_id = Integer(allow_none=True)
    target = ma.fields.String()
    unit = ma.fields.String(allow_none=True)
    due_at = ma.fields.AwareDateTime()
    created_at = ma.fields.AwareDateTime()
    created_by_id = Integer(allow_none=True)


class ComplianceSchema(ma.Schema):
    assigned = Integer()
    completed_on_time = Integer()
    completed_late = Integer()
    in_progress = Integer()
    not_started = Integer()
