"""Read models for contact points and admins: how an administration's officers are doing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select

from elearn import clock
from elearn.accounts.models import Administration, User, UserRole
from elearn.courses.models import Course, CourseTranslation
from elearn.enrolments.models import Enrolment, EnrolmentStatus
from elearn.extensions import db

EXPORT_BATCH = 1000


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


def _overdue() -> ColumnElement[bool]:
    """Active past the due date, or already expired by the hourly sweeper."""
    return (Enrolment.status == EnrolmentStatus.EXPIRED) | and_(
        Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.due_at < clock.now()
    )


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def course_titles(language: str) -> ColumnElement[Any]:
    """The course title in ``language``, else in the course's default language."""
    wanted = (
        select(CourseTranslation.title)
        .where(CourseTranslation.course_id == Course.id, CourseTranslation.lang == language)
        .scalar_subquery()
    )
    default = (
        select(CourseTranslation.title)
        .where(
            CourseTranslation.course_id == Course.id,
            CourseTranslation.lang == Course.default_language,
        )
        .scalar_subquery()
    )
    return func.coalesce(wanted, default, Course.slug)


def administration_summary(administration: Administration, language: str) -> AdministrationSummary:
    """Totals for the administration and one row per course its officers are enrolled in."""
    people = db.session.execute(
        select(func.count(User.id), _count(User.active.is_(True))).where(
            User.administration_id == administration.id,
            User.role_links.any(UserRole.role == "trainee"),
        )
    ).one()
    withdrawn = Enrolment.status == EnrolmentStatus.WITHDRAWN
    rows = db.session.execute(
        select(
            Course.id,
            Course.code,
            course_titles(language),
            _count(~withdrawn),
            _count(Enrolment.status == EnrolmentStatus.ACTIVE),
            _count(Enrolment.status == EnrolmentStatus.COMPLETED),
            _count(_overdue()),
            func.coalesce(func.avg(case((~withdrawn, Enrolment.progress_percent))), 0),
        )
        .join(Enrolment, Enrolment.course_id == Course.id)
        .join(User, User.id == Enrolment.user_id)
        .where(User.administration_id == administration.id)
        .group_by(Course.id, Course.code, Course.slug, Course.default_language)
        .order_by(Course.code, Course.id)
    ).all()
    courses = [
        CourseSummary(
            course_id=course_id,
            code=code,
            title=title,
            enrolled=int(enrolled),
            active=int(active),
            completed=int(completed),
            overdue=int(overdue),
            average_progress=round(average),
        )
        for course_id, code, title, enrolled, active, completed, overdue, average in rows
    ]
    return AdministrationSummary(
        code=administration.code,
        trainees=int(people[0]),
        active_trainees=int(people[1]),
        enrolments=sum(course.enrolled for course in courses),
        completed=sum(course.completed for course in courses),
        overdue=sum(course.overdue for course in courses),
        courses=courses,
    )


@dataclass(frozen=True)
class EnrolmentRow:
    trainee: str
    email: str
    course_code: str
    course_title: str
    status: str
    progress_percent: int
    enrolled_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    last_activity_at: datetime | None


def enrolment_rows(administration: Administration, language: str) -> Iterator[EnrolmentRow]:
    """Every enrolment of the administration's people, by name then course, read in batches."""
    statement = (
        select(
            User.full_name,
            User.email,
            Course.code,
            course_titles(language),
            Enrolment.status,
            Enrolment.progress_percent,
            Enrolment.enrolled_at,
            Enrolment.due_at,
            Enrolment.completed_at,
            Enrolment.last_activity_at,
        )
        .join(User, User.id == Enrolment.user_id)
        .join(Course, Course.id == Enrolment.course_id)
        .where(User.administration_id == administration.id)
        .order_by(User.full_name, User.id, Course.code, Enrolment.id)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    for row in db.session.execute(statement):
        yield EnrolmentRow(*row)
