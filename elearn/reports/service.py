"""Read models for contact points and admins: how an administration's officers are doing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, String, bindparam, func, select

from elearn.accounts.headcounts import Headcount
from elearn.accounts.models import Administration, User
from elearn.certificates.service.statement import issuer
from elearn.courses.models import Course
from elearn.enrolments.models import CourseRun, Enrolment, EnrolmentTally
from elearn.extensions import db
from elearn.quizzes.models import Attempt
from elearn.reports.exports import Column, Kind
from elearn.reports.standing import (
    PARAMETERS,
    certificate_code,
    course_titles,
    is_late,
    moment_values,
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


def administration_summary(
    administration: Administration, headcount: Headcount, language: str
) -> AdministrationSummary:
    """Totals for the administration and one row per course its officers are enrolled in.

    The figures come from the administration's headcount and the enrolment tallies (a few rows
    per course), except the enrolments that are active past their due date: time alone makes
    those late, and the hourly sweeper soon expires them, so they are counted live, through the
    (status, due date) index. One statement, built once per process.
    """
    parameters = {"administration_id": administration.id, "language": language}
    courses = [
        CourseSummary(
            course_id=course_id,
            code=code,
            title=title,
            enrolled=enrolled,
            active=active,
            completed=completed,
            overdue=expired + late,
            average_progress=round(progress / enrolled) if enrolled else 0,
        )
        for course_id, code, title, enrolled, active, completed, expired, progress, late in (
            db.session.execute(_summary_statement(), parameters | moment_values())
        )
    ]
    return AdministrationSummary(
        code=administration.code,
        trainees=headcount.trainees,
        active_trainees=headcount.active_trainees,
        enrolments=sum(course.enrolled for course in courses),
        completed=sum(course.completed for course in courses),
        overdue=sum(course.overdue for course in courses),
        courses=courses,
    )


@cache
def _summary_statement() -> Select[Any]:
    """Per course: the administration's tallies summed and its late enrolments counted
    (parameters: ``administration_id``, ``language`` and the moment's)."""
    administration_id = bindparam("administration_id", type_=Integer)
    tally = EnrolmentTally
    late = (
        select(Enrolment.course_id, func.count(Enrolment.id).label("late"))
        .join(User, User.id == Enrolment.user_id)
        .where(
            is_late(PARAMETERS),
            User.administration_id == administration_id,
        )
        .group_by(Enrolment.course_id)
        .subquery("late")
    )
    title, with_titles = course_titles(bindparam("language", type_=String))
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
            func.coalesce(late.c.late, 0),
        )
        .join(tally, tally.course_id == Course.id)
        .outerjoin(late, late.c.course_id == Course.id)
        .where(tally.administration_id == administration_id)
        .group_by(Course.id, Course.code, title, late.c.late)
        .having(func.sum(tally.enrolled + tally.withdrawn) > 0)
        .order_by(Course.code, Course.id)
    )
    return with_titles(statement)


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


# Officers whose enrolments one query of the export reads (about five enrolments each).
EXPORT_OFFICERS = 200


def enrolment_rows(administration: Administration, language: str) -> Iterator[EnrolmentRow]:
    """Every enrolment of the administration's people, by name then course, flat in memory.

    The officers come in name order from the (administration, name, id) index, a batch at a
    time; each batch's enrolments are then read through the enrolments' user index and their
    quiz grades by enrolment. One statement joining everything costs more and grows with
    the whole table: PostgreSQL scans every enrolment to find the administration's, and
    misjudges the grades subquery as a few rows and probes it once per enrolment."""
    title, with_titles = course_titles(language)
    people = (
        select(User.id, User.personnel_number, User.full_name, User.email, User.unit)
        .where(User.administration_id == administration.id)
        .order_by(User.full_name, User.id)
        .execution_options(yield_per=EXPORT_OFFICERS)
    )
    verification = issuer()
    for officers in db.session.execute(people).partitions():
        officer_ids = [officer.id for officer in officers]
        statement = (
            select(
                Enrolment.user_id,
                Enrolment.id,
                Course.code,
                title,
                CourseRun.name,
                Enrolment.status,
                Enrolment.progress_percent,
                Enrolment.enrolled_at,
                Enrolment.due_at,
                Enrolment.completed_at,
                Enrolment.last_activity_at,
                certificate_code(),
            )
            .join(Course, Course.id == Enrolment.course_id)
            .outerjoin(CourseRun, CourseRun.id == Enrolment.run_id)
            .where(Enrolment.user_id.in_(officer_ids))
            .order_by(Enrolment.user_id, Course.code, Enrolment.id)
        )
        enrolments: dict[int, list[Any]] = defaultdict(list)
        for user_id, *enrolment in db.session.execute(with_titles(statement)):
            enrolments[user_id].append(enrolment)
        grades = _grades_of(officer_ids)
        # Positional, in EnrolmentRow's order (reading 20,000 rows' fields by name costs more).
        people_in_order: Sequence[Sequence[Any]] = officers
        for user_id, *person in people_in_order:
            for enrolment_id, *enrolment, code in enrolments.get(user_id, ()):
                best, last, used = grades.get(enrolment_id, (None, None, 0))
                url = verification.verification_url(code) if code else None
                fields: tuple[Any, ...] = (*person, *enrolment, best, last, used, code, url)
                yield EnrolmentRow(*fields)


def _grades_of(user_ids: list[int]) -> dict[int, tuple[float | None, float | None, int]]:
    """By enrolment, the quiz grades of these officers' enrolments."""
    grades = quiz_grades(Attempt.user_id.in_(user_ids))
    return {
        enrolment_id: (best, last, used)
        for enrolment_id, best, last, used in db.session.execute(select(grades))
    }
