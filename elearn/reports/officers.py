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
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    exists,
    func,
    select,
)
from sqlalchemy.orm import QueryableAttribute

from elearn.accounts import headcounts
from elearn.accounts.models import Administration, User, UserRole
from elearn.certificates.service.statement import issuer
from elearn.courses.models import Course
from elearn.enrolments.models import Enrolment, EnrolmentStatus
from elearn.extensions import db
from elearn.pagination import Page, PageRequest, fetch_page
from elearn.quizzes.models import Attempt
from elearn.reports import standing
from elearn.reports.exports import Column, Kind
from elearn.reports.standing import EXPORT_BATCH, FLAG_RULES, Flag


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


SqlColumn = ColumnElement[Any] | QueryableAttribute[Any]


def _officer_columns(criteria: OfficerFilter) -> dict[str, SqlColumn]:
    """Every column of a row, by the name the API sorts by."""
    return {
        "personnel_number": User.personnel_number,
        "name": User.full_name,
        "email": User.email,
        "unit": User.unit,
        "active": _how_many(criteria, Enrolment.status == EnrolmentStatus.ACTIVE),
        "completed": _how_many(criteria, Enrolment.status == EnrolmentStatus.COMPLETED),
        "overdue": _how_many(criteria, standing.is_late()),
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


def _officers(
    administration: Administration, criteria: OfficerFilter, sort: str, *, whole_rows: bool
) -> Select[Any]:
    """The officers in report order: whole rows, or only their ids (for a page: each figure is
    then worked out for the page's officers only, plus the sort key and flag for all)."""
    columns = _officer_columns(criteria)
    descending = sort.startswith("-")
    key = columns[sort.lstrip("-")]
    selected: list[ColumnElement[Any]] = [User.id.label("user_id")]
    if whole_rows:
        selected.append(User.active.label("active_account"))
        selected.extend(column.label(name) for name, column in columns.items())
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
    # Unfiltered, the officers are the administration's trainees: its headcount says how many.
    known = headcounts.of(administration.id)[0] if criteria == OfficerFilter() else None
    ordered = _officers(administration, criteria, sort, whole_rows=False)
    page = fetch_page(ordered, request, total=known)
    statement = _officers(administration, criteria, sort, whole_rows=True)
    found = db.session.execute(statement.where(User.id.in_(page.items)).order_by(None))
    by_id = {record.user_id: _row(record) for record in found}
    rows = [by_id[user_id] for user_id in page.items]
    standings = course_standings(criteria, [row.user_id for row in rows], language)
    for row in rows:
        row.courses.extend(standings.get(row.user_id, ()))
    return Page(items=rows, total=page.total, request=request)


OFFICER_COLUMNS = (
    Column("personnel_number"),
    Column("full_name", width=30),
    Column("email", width=30),
    Column("unit", width=20),
    Column("active", Kind.INTEGER, width=9),
    Column("completed", Kind.INTEGER, width=9),
    Column("overdue", Kind.INTEGER, width=9),
    Column("expired", Kind.INTEGER, width=9),
    Column("last_activity_at", Kind.DATETIME, width=18),
    Column("flags", width=30, value=lambda row: " ".join(row.flags)),
)


def officer_rows(
    administration: Administration, criteria: OfficerFilter, sort: str
) -> Iterator[OfficerRow]:
    """Every officer's row (without courses) in the report's order, read in batches."""
    statement = _officers(administration, criteria, sort, whole_rows=True).execution_options(
        yield_per=EXPORT_BATCH
    )
    for record in db.session.execute(statement):
        yield _row(record)


def course_standings(
    criteria: OfficerFilter, user_ids: Sequence[int], language: str
) -> Mapping[int, list[CourseStanding]]:
    """Each officer's enrolments that count, by course code: status, grades, certificate."""
    if not user_ids:
        return {}
    conditions = _counted(criteria)[1:]
    title, with_titles = standing.course_titles(language)
    statement = (
        select(
            Enrolment.user_id,
            Enrolment.id,
            Enrolment.course_id,
            Course.code,
            title,
            Enrolment.run_id,
            Enrolment.status,
            Enrolment.progress_percent,
            Enrolment.due_at,
            Enrolment.completed_at,
            Enrolment.last_activity_at,
            standing.certificate_code(),
            *(rule().label(flag.value) for flag, rule in FLAG_RULES.items()),
        )
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.user_id.in_(user_ids), *conditions)
        .order_by(Enrolment.user_id, Course.code, Enrolment.id)
    )
    enrolments = db.session.execute(with_titles(statement)).all()
    grades = quiz_grades_of([record.id for record in enrolments])
    verification = issuer()
    standings: dict[int, list[CourseStanding]] = defaultdict(list)
    for record in enrolments:
        best, last, used = grades.get(record.id, (None, None, 0))
        code = record.certificate_code
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


def quiz_grades_of(enrolment_ids: Sequence[int]) -> Mapping[int, tuple[Any, Any, int]]:
    """Best grade, last grade and attempts used of each enrolment named."""
    if not enrolment_ids:
        return {}
    grades = standing.quiz_grades(Attempt.enrolment_id.in_(enrolment_ids))
    return {
        row.enrolment_id: (row.best, row.last, row.used)
        for row in db.session.execute(select(grades))
    }
