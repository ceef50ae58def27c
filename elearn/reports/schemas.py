"""Shapes of the reports."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from elearn.enrolments.models import EnrolmentStatus
from elearn.pagination import PageArgs
from elearn.reports.exports import DELIMITERS
from elearn.reports.officers import SORTABLE, OfficerFilter
from elearn.reports.standing import Flag
from elearn.schemas import Id, Integer, StrictSchema, language


class ReportArgs(StrictSchema):
    lang = language()


class CourseSummarySchema(ma.Schema):
    course_id = Id()
    code = ma.fields.String()
    title = ma.fields.String()
    enrolled = Integer()
    active = Integer()
    completed = Integer()
    overdue = Integer()
    average_progress = Integer()


class AdministrationSummarySchema(ma.Schema):
    code = ma.fields.String()
    trainees = Integer()
    active_trainees = Integer()
    enrolments = Integer()
    completed = Integer()
    overdue = Integer()
    courses = ma.fields.List(ma.fields.Nested(CourseSummarySchema))


class CsvArgs(ReportArgs):
    delimiter = ma.fields.String(
        load_default="comma",
        validate=ma.validate.OneOf(sorted(DELIMITERS)),
        metadata={"description": "semicolon: for spreadsheets whose decimal mark is a comma"},
    )


class OfficerFilterArgs(ma.Schema):
    lang = language()
    course_id = Integer(metadata={"description": "count this course's enrolments only"})
    run_id = Integer(metadata={"description": "count this run's enrolments only"})
    status = ma.fields.Enum(EnrolmentStatus, by_value=True)
    flag = ma.fields.Enum(Flag, by_value=True)
    sort = ma.fields.String(
        load_default="name",
        validate=ma.validate.OneOf([*SORTABLE, *(f"-{name}" for name in SORTABLE)]),
        metadata={"description": "a column; a leading '-' sorts descending"},
    )

    @ma.post_load
    def _to_filter(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["criteria"] = OfficerFilter(
            course_id=data.pop("course_id", None),
            run_id=data.pop("run_id", None),
            status=data.pop("status", None),
            flag=data.pop("flag", None),
        )
        return data


class OfficerReportArgs(OfficerFilterArgs, PageArgs):
    pass


class OfficerCsvArgs(OfficerFilterArgs, CsvArgs):
    pass


class CourseStandingSchema(ma.Schema):
    enrolment_id = Integer()
    course_id = Integer()
    course_code = ma.fields.String()
    course_title = ma.fields.String()
    run_id = Integer(allow_none=True)
    status = ma.fields.String()
    progress_percent = Integer()
    due_at = ma.fields.AwareDateTime()
    completed_at = ma.fields.AwareDateTime()
    last_activity_at = ma.fields.AwareDateTime()
    best_grade = ma.fields.Float(allow_none=True)
    last_grade = ma.fields.Float(allow_none=True)
    attempts_used = Integer()
    certificate_code = ma.fields.String(allow_none=True)
    verification_url = ma.fields.String(allow_none=True)
    flags = ma.fields.List(ma.fields.String())


class OfficerRowSchema(ma.Schema):
    user_id = Integer()
    personnel_number = ma.fields.String(allow_none=True)
    full_name = ma.fields.String()
    email = ma.fields.String()
    unit = ma.fields.String(allow_none=True)
    active_account = ma.fields.Boolean()
    active = Integer()
    completed = Integer()
    overdue = Integer()
    expired = Integer()
    last_activity_at = ma.fields.AwareDateTime()
    flags = ma.fields.List(ma.fields.String())
    courses = ma.fields.List(ma.fields.Nested(CourseStandingSchema))
