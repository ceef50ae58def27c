"""Read models for contact points and admins: how an administration's officers are doing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from elearn.accounts import headcounts
from elearn.accounts.models import Administration, User
from elearn.certificates.service.statement import issuer
from elearn.courses.models import Course
from elearn.enrolments.models import CourseRun, Enrolment, EnrolmentTally
from elearn.extensions import db
from elearn.quizzes.models import Attempt
from elearn.reports.exports import Column, Kind
from elearn.reports.standing import (
    EXPORT_BATCH,
    certificate_code,
    course_titles,
    is_late,
    quiz_grades,
)


@dataclass(frozen=True)
class CourseSummary:
    course_id: int
    code: str
    title: str
    enrolled: int
    active: int
    completed: int
    overdue: int
    average_progress: int


@dataclass(frozen=True)
class AdministrationSummary:
    code: str
    trainees: int
    active_trainees: int
    enrolments: int
    completed: int
    overdue: int
    courses: list[CourseSummary]


def administration_summary(administration: Administration, language: str) -> AdministrationSummary:
    """Totals for the administration and one row per course its officers are enrolled in.

    The figures come from the administration's headcount and the enrolment tallies (a few rows
    per course), except the enrolments
    that are active past their due date: time alone makes those late, and the hourly sweeper
    soon expires them, so they are counted live, through the (status, due date) index.
    """
    trainees, active_trainees = headcounts.of(administration.id)
    tally = EnrolmentTally
    title, with_titles = course_titles(language)
    statement = (
        select(
            Course.id,
            Course.code,
            title,
            func.sum(tally.enrolled),
            func.sum(tally.active),
            func.sum(tally.completed),
            func.sum(tally.expired),
            func.sum(tally.progress_total),
        )
        .join(tally, tally.course_id == Course.id)
        .where(tally.administration_id == administration.id)
        .group_by(Course.id, Course.code, title)
        .having(func.sum(tally.enrolled + tally.withdrawn) > 0)
        .order_by(Course.code, Course.id)
    )
    rows = db.session.execute(with_titles(statement)).all()
    late_rows = db.session.execute(
        select(Enrolment.course_id, func.count(Enrolment.id))
        .join(User, User.id == Enrolment.user_id)
        .where(is_late(), User.administration_id == administration.id)
        .group_by(Enrolment.course_id)
    )
    late: dict[int, int] = dict(late_rows.all())
    courses = [
        CourseSummary(
            course_id=course_id,
            code=code,
            title=title,
            enrolled=enrolled,
            active=active,
            completed=completed,
            overdue=expired + late.get(course_id, 0),
            average_progress=round(progress / enrolled) if enrolled else 0,
        )
        for course_id, code, title, enrolled, active, completed, expired, progress in rows
    ]
    return AdministrationSummary(
        code=administration.code,
        trainees=trainees,
        active_trainees=active_trainees,
        enrolments=sum(course.enrolled for course in courses),
        completed=sum(course.completed for course in courses),
        overdue=sum(course.overdue for course in courses),
        courses=courses,
    )


@dataclass(frozen=True)
class EnrolmentRow:
    personnel_number: str | None
    trainee: str
    email: str
    unit: str | None
    course_code: str
    course_title: str
    run: str | None
    status: str
    progress_percent: int
    enrolled_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    last_activity_at: datetime | None
    best_grade: float | None
    last_grade: float | None
    attempts_used: int
    certificate_code: str | None
    verification_url: str | None


ENROLMENT_COLUMNS = (
    Column("personnel_number"),
    Column("trainee", width=30),
    Column("email", width=30),
    Column("unit", width=20),
    Column("course_code"),
    Column("course_title", width=40),
    Column("run", width=20),
    Column("status", width=11),
    Column("progress_percent", Kind.INTEGER, width=10),
    Column("enrolled_at", Kind.DATETIME, width=18),
    Column("due_at", Kind.DATETIME, width=18),
    Column("completed_at", Kind.DATETIME, width=18),
    Column("last_activity_at", Kind.DATETIME, width=18),
    Column("best_grade", Kind.DECIMAL, width=10),
    Column("last_grade", Kind.DECIMAL, width=10),
    Column("attempts_used", Kind.INTEGER, width=10),
    Column("certificate_code", width=16),
    Column("verification_url", width=45),
)


def enrolment_rows(administration: Administration, language: str) -> Iterator[EnrolmentRow]:
    """Every enrolment of the administration's people, by name then course, read in batches."""
    officers = User.administration_id == administration.id
    grades = quiz_grades(Attempt.user_id.in_(select(User.id).where(officers)))
    title, with_titles = course_titles(language)
    statement = (
        select(
            User.personnel_number,
            User.full_name.label("trainee"),
            User.email,
            User.unit,
            Course.code.label("course_code"),
            title.label("course_title"),
            CourseRun.name.label("run"),
            Enrolment.status,
            Enrolment.progress_percent,
            Enrolment.enrolled_at,
            Enrolment.due_at,
            Enrolment.completed_at,
            Enrolment.last_activity_at,
            grades.c.best.label("best_grade"),
            grades.c.last.label("last_grade"),
            func.coalesce(grades.c.used, 0).label("attempts_used"),
            certificate_code(),
        )
        .join(User, User.id == Enrolment.user_id)
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(CourseRun, CourseRun.id == Enrolment.run_id)
        .outerjoin(grades, grades.c.enrolment_id == Enrolment.id)
        .where(officers)
        .order_by(User.full_name, User.id, Course.code, Enrolment.id)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    verification = issuer()
    for record in db.session.execute(with_titles(statement)):
        code = record.certificate_code
        url = verification.verification_url(code) if code else None
        yield EnrolmentRow(**record._mapping, verification_url=url)
