"""The per-officer report: one row per officer of an administration, and their courses.

Every figure and flag is one SQL expression over an officer's enrolments, so the same rule
fills a row, filters the list and sorts it. Optional filters (course, run, status) choose which
enrolments count; with any of them, only officers who have such an enrolment are listed. A page
costs a fixed number of queries: the count, the officers, their enrolments, their quiz grades.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import QueryableAttribute

from elearn import clock
from elearn.accounts.models import Administration, User, UserRole
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.certificates.service.statement import issuer
from elearn.config import current_settings
from elearn.courses.models import Course, QuizDefinition
from elearn.enrolments.models import Enrolment, EnrolmentStatus, LessonProgress
from elearn.extensions import db
from elearn.pagination import Page, PageRequest, fetch_page
from elearn.quizzes.models import FINISHED_STATUSES, Attempt
from elearn.reports.service import EXPORT_BATCH, course_titles


class Flag(StrEnum):
    OVERDUE = "overdue"
    IDLE = "idle"
    FAILED_FINAL_ATTEMPT = "failed_final_attempt"


@dataclass(frozen=True)
class OfficerFilter:
    course_id: int | None = None
    run_id: int | None = None
    status: EnrolmentStatus | None = None
    flag: Flag | None = None

    @property
    def narrows_enrolments(self) -> bool:
        return any(value is not None for value in (self.course_id, self.run_id, self.status))


@dataclass(frozen=True)
class CourseStanding:
    enrolment_id: int
    course_id: int
    course_code: str
    course_title: str
    run_id: int | None
    status: str
    progress_percent: int
    due_at: datetime | None
    completed_at: datetime | None
    last_activity_at: datetime | None
    best_grade: float | None
    last_grade: float | None
    attempts_used: int
    certificate_code: str | None
    verification_url: str | None
    flags: list[str]


@dataclass(frozen=True)
class OfficerRow:
    user_id: int
    personnel_number: str | None
    full_name: str
    email: str
    unit: str | None
    active_account: bool
    active: int
    completed: int
    overdue: int
    expired: int
    last_activity_at: datetime | None
    flags: list[str]
    courses: list[CourseStanding] = field(default_factory=list)


# Per enrolment: the rules behind the figures and flags.


def _idle_since() -> datetime:
    return clock.now() - timedelta(days=current_settings().report_idle_days)


def _max_attempts() -> ColumnElement[Any]:
    return QuizDefinition.definition[("settings", "max_attempts")].as_integer()


def enrolment_is_overdue() -> ColumnElement[bool]:
    """Active past its due date (the hourly sweeper has not expired it yet), or expired."""
    return or_(
        Enrolment.status == EnrolmentStatus.EXPIRED,
        and_(Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.due_at < clock.now()),
    )


def enrolment_is_idle() -> ColumnElement[bool]:
    """Active, with no lesson done (or never started) for ``ELEARN_REPORT_IDLE_DAYS``."""
    return and_(
        Enrolment.status == EnrolmentStatus.ACTIVE,
        func.coalesce(Enrolment.last_activity_at, Enrolment.enrolled_at) < _idle_since(),
    )


def enrolment_failed_final_attempt() -> ColumnElement[bool]:
    """Not completed, and some quiz of the course has all its attempts used without a pass."""
    passed = exists().where(
        LessonProgress.enrolment_id == Attempt.enrolment_id,
        LessonProgress.lesson_id == Attempt.lesson_id,
    )
    exhausted = (
        select(Attempt.lesson_id)
        .join(QuizDefinition, QuizDefinition.lesson_id == Attempt.lesson_id)
        .where(
            Attempt.enrolment_id == Enrolment.id,
            Attempt.status.in_(FINISHED_STATUSES),
            ~passed,
        )
        .group_by(Attempt.lesson_id, _max_attempts())
        .having(func.count(Attempt.id) >= _max_attempts())
    )
    return and_(Enrolment.status != EnrolmentStatus.COMPLETED, exhausted.exists())


FLAG_RULES = {
    Flag.OVERDUE: enrolment_is_overdue,
    Flag.IDLE: enrolment_is_idle,
    Flag.FAILED_FINAL_ATTEMPT: enrolment_failed_final_attempt,
}


# Per officer: the same rules over the enrolments that count.


def _counted(criteria: OfficerFilter) -> list[ColumnElement[bool]]:
    conditions = [Enrolment.user_id == User.id]
    if criteria.course_id is not None:
        conditions.append(Enrolment.course_id == criteria.course_id)
    if criteria.run_id is not None:
        conditions.append(Enrolment.run_id == criteria.run_id)
    if criteria.status is not None:
        conditions.append(Enrolment.status == criteria.status)
    return conditions


def _how_many(criteria: OfficerFilter, condition: ColumnElement[bool]) -> ColumnElement[int]:
    return (
        select(func.count(Enrolment.id))
        .where(*_counted(criteria), condition)
        .correlate(User)
        .scalar_subquery()
    )


def _any(criteria: OfficerFilter, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(*_counted(criteria), condition).correlate(User)


Column = ColumnElement[Any] | QueryableAttribute[Any]


def _officer_columns(criteria: OfficerFilter) -> dict[str, Column]:
    """Every column of a row, by the name the API sorts by."""
    return {
        "personnel_number": User.personnel_number,
        "name": User.full_name,
        "email": User.email,
        "unit": User.unit,
        "active": _how_many(criteria, Enrolment.status == EnrolmentStatus.ACTIVE),
        "completed": _how_many(criteria, Enrolment.status == EnrolmentStatus.COMPLETED),
        "overdue": _how_many(
            criteria,
            and_(Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.due_at < clock.now()),
        ),
        "expired": _how_many(criteria, Enrolment.status == EnrolmentStatus.EXPIRED),
        "last_activity_at": (
            select(func.max(Enrolment.last_activity_at))
            .where(*_counted(criteria))
            .correlate(User)
            .scalar_subquery()
        ),
        **{flag.value: _any(criteria, rule()) for flag, rule in FLAG_RULES.items()},
    }


SORTABLE = (
    "personnel_number",
    "name",
    "email",
    "unit",
    "active",
    "completed",
    "overdue",
    "expired",
    "last_activity_at",
)


def _officers(administration: Administration, criteria: OfficerFilter, sort: str) -> Select[Any]:
    columns = _officer_columns(criteria)
    descending = sort.startswith("-")
    key = columns[sort.lstrip("-")]
    selected: list[ColumnElement[Any]] = [
        User.id.label("user_id"),
        User.active.label("active_account"),
        *(column.label(name) for name, column in columns.items()),
    ]
    statement = (
        select(*selected)
        .where(
            User.administration_id == administration.id,
            User.role_links.any(UserRole.role == "trainee"),
        )
        # NULLs last either way, then the name and id keep the order stable.
        .order_by(
            key.is_(None),
            key.desc() if descending else key.asc(),
            User.full_name,
            User.id,
        )
    )
    if criteria.narrows_enrolments:
        statement = statement.where(_any(criteria, Enrolment.id.isnot(None)))
    if criteria.flag is not None:
        statement = statement.where(columns[criteria.flag.value])
    return statement


def _row(record: Any) -> OfficerRow:
    values = record._mapping
    return OfficerRow(
        user_id=values["user_id"],
        personnel_number=values["personnel_number"],
        full_name=values["name"],
        email=values["email"],
        unit=values["unit"],
        active_account=values["active_account"],
        active=values["active"],
        completed=values["completed"],
        overdue=values["overdue"],
        expired=values["expired"],
        last_activity_at=values["last_activity_at"],
        flags=[flag.value for flag in Flag if values[flag.value]],
    )


def officer_page(
    administration: Administration,
    criteria: OfficerFilter,
    sort: str,
    language: str,
    request: PageRequest,
) -> Page[OfficerRow]:
    """One page of officers with their courses (the enrolments that count)."""
    page = fetch_page(_officers(administration, criteria, sort), request)
    rows = [_row(record) for record in page.items]
    standings = course_standings(criteria, [row.user_id for row in rows], language)
    for row in rows:
        row.courses.extend(standings.get(row.user_id, ()))
    return Page(items=rows, total=page.total, request=request)


def officer_rows(
    administration: Administration, criteria: OfficerFilter, sort: str
) -> Iterator[OfficerRow]:
    """Every officer's row (without courses) in the report's order, read in batches."""
    statement = _officers(administration, criteria, sort).execution_options(yield_per=EXPORT_BATCH)
    for record in db.session.execute(statement):
        yield _row(record)


def course_standings(
    criteria: OfficerFilter, user_ids: Sequence[int], language: str
) -> Mapping[int, list[CourseStanding]]:
    """Each officer's enrolments that count, by course code: status, grades, certificate."""
    if not user_ids:
        return {}
    conditions = _counted(criteria)[1:]
    enrolments = db.session.execute(
        select(
            Enrolment.user_id,
            Enrolment.id,
            Enrolment.course_id,
            Course.code,
            course_titles(language),
            Enrolment.run_id,
            Enrolment.status,
            Enrolment.progress_percent,
            Enrolment.due_at,
            Enrolment.completed_at,
            Enrolment.last_activity_at,
            Certificate.verification_code,
            *(rule().label(flag.value) for flag, rule in FLAG_RULES.items()),
        )
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(
            Certificate,
            and_(
                Certificate.enrolment_id == Enrolment.id,
                Certificate.status == CertificateStatus.ISSUED,
            ),
        )
        .where(Enrolment.user_id.in_(user_ids), *conditions)
        .order_by(Enrolment.user_id, Course.code, Enrolment.id)
    ).all()
    grades = quiz_grades([record.id for record in enrolments])
    verification = issuer()
    standings: dict[int, list[CourseStanding]] = defaultdict(list)
    for record in enrolments:
        best, last, used = grades.get(record.id, (None, None, 0))
        code = record.verification_code
        standings[record.user_id].append(
            CourseStanding(
                enrolment_id=record.id,
                course_id=record.course_id,
                course_code=record.code,
                course_title=record[4],
                run_id=record.run_id,
                status=record.status,
                progress_percent=record.progress_percent,
                due_at=record.due_at,
                completed_at=record.completed_at,
                last_activity_at=record.last_activity_at,
                best_grade=best,
                last_grade=last,
                attempts_used=used,
                certificate_code=code,
                verification_url=verification.verification_url(code) if code else None,
                flags=[flag.value for flag in Flag if record._mapping[flag.value]],
            )
        )
    return standings


Grades = tuple[float | None, float | None, int]


def quiz_grades(enrolment_ids: Sequence[int]) -> Mapping[int, Grades]:
    """Per enrolment, over all its quizzes: best grade, last grade, attempts used (finished)."""
    if not enrolment_ids:
        return {}
    latest = (
        func.row_number()
        .over(
            partition_by=Attempt.enrolment_id,
            order_by=(Attempt.submitted_at.desc(), Attempt.id.desc()),
        )
        .label("latest")
    )
    finished = (
        select(
            Attempt.enrolment_id,
            Attempt.score,
            func.max(Attempt.score).over(partition_by=Attempt.enrolment_id).label("best"),
            func.count(Attempt.id).over(partition_by=Attempt.enrolment_id).label("used"),
            latest,
        )
        .where(Attempt.enrolment_id.in_(enrolment_ids), Attempt.status.in_(FINISHED_STATUSES))
        .subquery()
    )
    rows = db.session.execute(
        select(finished.c.enrolment_id, finished.c.best, finished.c.score, finished.c.used).where(
            finished.c.latest == 1
        )
    )
    return {enrolment_id: (best, last, used) for enrolment_id, best, last, used in rows}
