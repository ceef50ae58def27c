"""Shapes of the reports."""

from __future__ import annotations

import marshmallow as ma

from elearn.schemas import StrictSchema, language


class ReportArgs(StrictSchema):
    lang = language()


class CourseSummarySchema(ma.Schema):
    course_id = ma.fields.Integer()
    code = ma.fields.String()
    title = ma.fields.String()
    enrolled = ma.fields.Integer()
    active = ma.fields.Integer()
    completed = ma.fields.Integer()
    overdue = ma.fields.Integer()
    average_progress = ma.fields.Integer()


class AdministrationSummarySchema(ma.Schema):
    code = ma.fields.String()
    trainees = ma.fields.Integer()
    active_trainees = ma.fields.Integer()
    enrolments = ma.fields.Integer()
    completed = ma.fields.Integer()
    overdue = ma.fields.Integer()
    courses = ma.fields.List(ma.fields.Nested(CourseSummarySchema))
