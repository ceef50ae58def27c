"""The per-officer report: one row per officer of an administration, and their courses.

Every figure and flag is one SQL expression over an officer's enrolments, so the same rule
fills an exported row, filters the list and sorts it. Optional filters (course, run, status)
choose which enrolments count; with any of them, only officers who have such an enrolment are
listed. A page costs a fixed number of queries: the count, the page's officer ids in order,
their names, their enrolments with grades; its figures and flags are summed from those
enrolments, whose standings the same rules give.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    exists,
    func,
    select,
)
from sqlalchemy.orm import QueryableAttribute

from elearn.accounts.headcounts import Headcount
from elearn.accounts.models import Administration, User, UserRole
from elearn.certificates.service.statement import issuer
from elearn.courses.models import Course
from elearn.enrolments.models import Enrolment, EnrolmentStatus
from elearn.extensions import db
from elearn.pagination import Page, PageRequest, fetch_page
from elearn.quizzes.models import Attempt
from elearn.reports import standing
from elearn.reports.exports import Column, Kind
from elearn.reports.standing import EXPORT_BATCH, Flag


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
    at = standing.moment()
    return {
        "personnel_number": User.personnel_number,
        "name": User.full_name,
        "email": User.email,
        "unit": User.unit,
        "active": _how_many(criteria, Enrolment.status == EnrolmentStatus.ACTIVE),
        "completed": _how_many(criteria, Enrolment.status == EnrolmentStatus.COMPLETED),
        "overdue": _how_many(criteria, standing.is_late(at)),
        "expired": _how_many(criteria, Enrolment.status == EnrolmentStatus.EXPIRED),
        "last_activity_at": (
            select(func.max(Enrolment.last_activity_at))
            .where(*_counted(criteria))
            .correlate(User)
            .scalar_subquery()
        ),
        **{_flagged(flag): _any(criteria, rule) for flag, rule in standing.flag_rules(at).items()},
    }


def _flagged(flag: Flag) -> str:
    """The column of ``flag``, apart from the figures' (``overdue`` is both a count and a flag)."""
    return f"flag_{flag.value}"


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
    """The officers in report order: whole rows, or only who they are (for a page: each figure
    is then worked out for the page's officers only, plus the sort key and flag for all)."""
    columns = _officer_columns(criteria)
    descending = sort.startswith("-")
    key = columns[sort.lstrip("-")]
    selected: list[SqlColumn] = [User.id.label("user_id"), User.active.label("active_account")]
    if whole_rows:
        selected.extend(column.label(name) for name, column in columns.items())
    else:
        selected.extend((User.personnel_number, User.full_name, User.email, User.unit))
    statement = (
        select(*selected)
        .where(
            User.administration_id == administration.id,
            User.role_links.any(UserRole.role == "trainee"),
        )
        # NULLs last either way, then the name and id keep the order stable; by name (the
        # default), the order is the (administration_id, full_name, id) index's: a page reads
        # its officers from the index and stops.
        .order_by(
            (key.desc() if descending else key.asc()).nulls_last(),
            *((User.full_name, User.id) if key is not User.full_name else (User.id,)),
        )
    )
    if criteria.narrows_enrolments:
        statement = statement.where(_any(criteria, Enrolment.id.isnot(None)))
    if criteria.flag is not None:
        statement = statement.where(columns[_flagged(criteria.flag)])
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
        flags=[flag.value for flag in Flag if values[_flagged(flag)]],
    )


def officer_page(
    administration: Administration,
    headcount: Headcount,
    criteria: OfficerFilter,
    sort: str,
    language: str,
    request: PageRequest,
) -> Page[OfficerRow]:
    """One page of officers with their courses (the enrolments that count).

    Only the order (and a filter by flag) is worked out over every officer of the
    administration; the page's 50 officers' figures and flags are then summed from their
    enrolments' standings, which the page shows anyway."""
    # Unfiltered, the officers are the administration's trainees: its headcount says how many.
    known = headcount.trainees if criteria == OfficerFilter() else None
    ordered = _officers(administration, criteria, sort, whole_rows=False)
    page = fetch_page(ordered, request, total=known)
    people: Sequence[Any] = page.items
    enrolments = _counted_enrolments(criteria, [person.user_id for person in people], language)
    rows = [
        _summed(person, enrolments.by_officer.get(person.user_id, []), enrolments.late)
        for person in people
    ]
    return Page(items=rows, total=page.total, request=request)


def _summed(person: Any, courses: list[CourseStanding], late: frozenset[int]) -> OfficerRow:
    """An officer's row from their counted enrolments (the figures ``_officer_columns`` count)."""
    statuses = Counter(course.status for course in courses)
    activity = [course.last_activity_at for course in courses if course.last_activity_at]
    raised = {flag for course in courses for flag in course.flags}
    return OfficerRow(
        user_id=person.user_id,
        personnel_number=person.personnel_number,
        full_name=person.full_name,
        email=person.email,
        unit=person.unit,
        active_account=person.active_account,
        active=statuses[EnrolmentStatus.ACTIVE],
        completed=statuses[EnrolmentStatus.COMPLETED],
        overdue=sum(course.enrolment_id in late for course in courses),
        expired=statuses[EnrolmentStatus.EXPIRED],
        last_activity_at=max(activity, default=None),
        flags=[flag for flag in FLAG_VALUES if flag in raised],
        courses=courses,
    )


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


@dataclass(frozen=True)
class _CountedEnrolments:
    by_officer: Mapping[int, list[CourseStanding]]
    late: frozenset[int]  # the enrolments active past their due date


def _counted_enrolments(
    criteria: OfficerFilter, user_ids: Sequence[int], language: str
) -> _CountedEnrolments:
    """Each officer's enrolments that count, by course code (status, grades, certificate,
    flags), and which of them are late."""
    if not user_ids:
        return _CountedEnrolments({}, frozenset())
    statement = _enrolments_statement(
        criteria.course_id is not None, criteria.run_id is not None, criteria.status is not None
    )
    parameters = {
        "user_ids": list(user_ids),
        "language": language,
        "course_id": criteria.course_id,
        "run_id": criteria.run_id,
        "status": criteria.status,
        **standing.moment_values(),
    }
    verification = issuer()
    standings: dict[int, list[CourseStanding]] = defaultdict(list)
    late: set[int] = set()
    rows = db.session.execute(statement, parameters)
    for user_id, enrolment_id, *shown, code, is_late, overdue, idle, failed in rows:
        url = verification.verification_url(code) if code else None
        flags = [flag for flag, on in zip(FLAG_VALUES, (overdue, idle, failed), strict=True) if on]
        values = (enrolment_id, *shown, code, url, flags)
        standings[user_id].append(CourseStanding(*values))
        if is_late:
            late.add(enrolment_id)
    return _CountedEnrolments(standings, frozenset(late))


FLAG_VALUES = tuple(flag.value for flag in Flag)


@cache
def _enrolments_statement(by_course: bool, by_run: bool, by_status: bool) -> Select[Any]:
    """The counted enrolments of some officers: the officer, then ``CourseStanding``'s fields
    in order up to the certificate code, whether it is late, and each flag in ``Flag``'s order;
    built once per process for each choice of filters. Parameters: ``user_ids``,
    ``language``, the filters' and the moment's."""
    conditions: list[ColumnElement[bool]] = [
        Enrolment.user_id.in_(bindparam("user_ids", expanding=True))
    ]
    if by_course:
        conditions.append(Enrolment.course_id == bindparam("course_id", type_=Integer))
    if by_run:
        conditions.append(Enrolment.run_id == bindparam("run_id", type_=Integer))
    if by_status:
        conditions.append(Enrolment.status == bindparam("status", type_=Enrolment.status.type))
    title, with_titles = standing.course_titles(bindparam("language", type_=String))
    grades = standing.quiz_grades(Attempt.user_id.in_(bindparam("user_ids", expanding=True)))
    at = standing.PARAMETERS
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
            grades.c.best,
            grades.c.last,
            func.coalesce(grades.c.used, 0),
            standing.certificate_code(),
            standing.is_late(at),
            *standing.flag_rules(at).values(),
        )
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(grades, grades.c.enrolment_id == Enrolment.id)
        .where(*conditions)
        .order_by(Enrolment.user_id, Course.code, Enrolment.id)
    )
    return with_titles(statement)
