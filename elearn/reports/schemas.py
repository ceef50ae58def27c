"""Shapes of the reports."""

from __future__ import annotations

import marshmallow as ma

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
