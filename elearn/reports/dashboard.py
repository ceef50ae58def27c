"""What the contact point's dashboard shows, read in a fixed number of queries.

Completion by course is the administration summary itself, so the page and the API never
disagree; the trend, the overdue and idle officers and assignment compliance are read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from elearn import clock
from elearn.accounts import headcounts
from elearn.accounts.models import Administration, User
from elearn.courses.models import Course
from elearn.enrolments.models import Assignment, Enrolment, EnrolmentStatus
from elearn.enrolments.service import assignments
from elearn.extensions import db
from elearn.reports import service

TREND_WEEKS = 12
IDLE_AFTER = timedelta(days=14)
LISTED_OFFICERS = 10
LISTED_ASSIGNMENTS = 6


@dataclass(frozen=True)
class WeekCompletions:
    starts_on: date
    completions: int


@dataclass(frozen=True)
class OfficerFlag:
    user_id: int
    full_name: str
    course_title: str
    since: datetime | None  # overdue: the due date; idle: the last activity (or enrolment)


@dataclass(frozen=True)
class AssignmentCompliance:
    assignment_id: int
    course_title: str
    due_at: datetime
    compliance: assignments.Compliance


@dataclass(frozen=True)
class Dashboard:
    administration: Administration
    summary: service.AdministrationSummary
    trend: list[WeekCompletions]
    overdue: list[OfficerFlag]
    overdue_total: int
    idle: list[OfficerFlag]
    idle_total: int
    assignments: list[AssignmentCompliance]


def dashboard(administration: Administration, language: str) -> Dashboard:
    """The dashboard of ``administration`` with course titles in ``language``."""
    overdue, overdue_total = _flagged(administration, _overdue(), Enrolment.due_at, language)
    idle, idle_total = _flagged(administration, _idle(), _last_seen(), language)
    return Dashboard(
        administration=administration,
        summary=service.administration_summary(
            administration, headcounts.of(administration.id), language
        ),
        trend=weekly_completions(administration),
        overdue=overdue,
        overdue_total=overdue_total,
        idle=idle,
        idle_total=idle_total,
        assignments=_compliance(administration, language),
    )


def weekly_completions(administration: Administration) -> list[WeekCompletions]:
    """Completions by the administration's officers in each of the last twelve weeks (the
    last one ends today)."""
    today = clock.now().date()
    first = today - timedelta(weeks=TREND_WEEKS) + timedelta(days=1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=clock.now().tzinfo)
    completed = db.session.scalars(
        select(Enrolment.completed_at)
        .join(User, User.id == Enrolment.user_id)
        .where(
            User.administration_id == administration.id,
            Enrolment.status == EnrolmentStatus.COMPLETED,
            Enrolment.completed_at >= start,
        )
    ).all()
    counts = [0] * TREND_WEEKS
    for moment in completed:
        if moment is not None:
            counts[min(TREND_WEEKS - 1, (moment.date() - first).days // 7)] += 1
    return [
        WeekCompletions(first + timedelta(weeks=week), count) for week, count in enumerate(counts)
    ]


def _overdue() -> ColumnElement[bool]:
    return or_(
        Enrolment.status == EnrolmentStatus.EXPIRED,
        and_(Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.due_at < clock.now()),
    )


def _last_seen() -> ColumnElement[datetime]:
    return func.coalesce(Enrolment.last_activity_at, Enrolment.enrolled_at)


def _idle() -> ColumnElement[bool]:
    return and_(Enrolment.status == EnrolmentStatus.ACTIVE, _last_seen() < clock.now() - IDLE_AFTER)


def _flagged(
    administration: Administration,
    condition: ColumnElement[bool],
    since: ColumnElement[Any] | InstrumentedAttribute[Any],
    language: str,
) -> tuple[list[OfficerFlag], int]:
    """The first officers matching ``condition`` (longest-standing first) and how many match."""
    base = (
        select(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .where(User.administration_id == administration.id, condition)
    )
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.execute(
        select(User.id, User.full_name, Course, since)
        .select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .join(Course, Course.id == Enrolment.course_id)
        .where(User.administration_id == administration.id, condition)
        .order_by(since, User.full_name)
        .limit(LISTED_OFFICERS)
    ).all()
    flags = [
        OfficerFlag(user_id, name, course.title_in(language), moment)
        for user_id, name, course, moment in rows
    ]
    return flags, total


def _compliance(administration: Administration, language: str) -> list[AssignmentCompliance]:
    """The assignments due soonest (open ones first), one compliance query each."""
    latest = db.session.scalars(
        select(Assignment)
        .where(Assignment.administration_id == administration.id)
        .order_by(Assignment.due_at.desc(), Assignment.id.desc())
        .limit(LISTED_ASSIGNMENTS)
    ).all()
    return [
        AssignmentCompliance(
            assignment.id,
            assignment.course.title_in(language),
            assignment.due_at,
            assignments.compliance(assignment),
        )
        for assignment in latest
    ]
