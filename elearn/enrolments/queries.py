"""Reading enrolments: the caller's, a course's, an administration's, and one enrolment.

A page is two statements: the count, and the rows, each enrolment with its trainee and run and,
for the caller's own active enrolments, the lessons completed. The caller's own enrolments, a
handful, are counted in the page's statement (a window count), so their page is one statement.
The course's title in the wanted language and the lesson to resume at (the first of the outline
not yet completed) come from the courses' syllabi, which each process remembers. Rows become
small read-only records, not ORM objects: building and serialising those was most of the time of
a request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    case,
    cast,
    func,
    null,
    select,
)

from elearn import policy
from elearn.accounts.models import Administration, User
from elearn.courses.queries.syllabi import Syllabus, SyllabusLesson, syllabi
from elearn.driver_reads import DriverRead
from elearn.enrolments.models import CourseRun, Enrolment, EnrolmentStatus, LessonProgress
from elearn.extensions import db
from elearn.pagination import Page, PageRequest
from elearn.portable_sql import joined_text

# Between the ids of the lessons an enrolment completed.
LIST_SEPARATOR = ","
PAGE_SIZE = bindparam("page_size", type_=Integer)
PAGE_OFFSET = bindparam("page_offset", type_=Integer)
STATUS = bindparam("status", type_=Enrolment.status.type)
T = TypeVar("T")


@dataclass(frozen=True)
class EnrolmentFilter:
    status: EnrolmentStatus | None = None
    administration_id: int | None = None
    course_id: int | None = None


@dataclass(frozen=True)
class CourseRef:
    id: int
    slug: str
    title: str
    language: str


@dataclass(frozen=True)
class LessonRef:
    id: int
    kind: str
    title: str


@dataclass(frozen=True)
class AdministrationRef:
    code: str


@dataclass(frozen=True)
class TraineeRef:
    id: int
    full_name: str
    email: str
    administration: AdministrationRef | None


@dataclass(frozen=True)
class RunRef:
    id: int
    name: str
    starts_at: datetime | None
    ends_at: datetime | None


@dataclass(frozen=True)
class EnrolmentRecord:
    id: int
    status: str
    source: str
    progress_percent: int
    enrolled_at: datetime
    due_at: datetime | None
    started_at: datetime | None
    last_activity_at: datetime | None
    completed_at: datetime | None
    user: TraineeRef
    run: RunRef | None


@dataclass(frozen=True)
class EnrolmentView:
    enrolment: EnrolmentRecord
    course: CourseRef
    next_lesson: LessonRef | None = None


# What a page holds for each row: the row (``_statement``'s columns), its course's syllabus and
# the language asked for.
Shape = Callable[[Any, Syllabus, str], T]


def list_my_enrolments(
    holder: Mapping[str, Any],
    status: EnrolmentStatus | None,
    language: str,
    page: PageRequest,
    shape: Shape[T],
) -> Page[T]:
    """The enrolments of the actor whose ``policy.actor_parameters`` are ``holder``, newest
    first, each in ``shape`` (the lesson to resume each active one at: ``lesson_to_resume``);
    in one statement built once per process."""
    statements = _own_statements(by_status=status is not None)
    return _page(statements, {**holder, STATUS.key: status}, language, page, shape, own=True)


def list_enrolments(
    actor: User, criteria: EnrolmentFilter, language: str, page: PageRequest
) -> Page[EnrolmentView]:
    """The enrolments ``actor`` may see (admins all, contact points their administration's)."""
    conditions = _filtered(policy.enrolments.visible.filter(actor), criteria)
    return _page(_Statements.of(conditions, own=False), {}, language, page, row_view, own=False)


def enrolment_view(enrolment: Enrolment, language: str) -> EnrolmentView:
    """One enrolment with its course title and the lesson to resume at."""
    statements = _Statements.of([Enrolment.id == enrolment.id], own=True)
    (view,) = _page(statements, {}, language, PageRequest(), row_view, own=True).items
    return view


def _filtered(condition: ColumnElement[bool], criteria: EnrolmentFilter) -> list[Any]:
    conditions: list[Any] = [condition]
    if criteria.status is not None:
        conditions.append(Enrolment.status == criteria.status)
    if criteria.course_id is not None:
        conditions.append(Enrolment.course_id == criteria.course_id)
    if criteria.administration_id is not None:
        conditions.append(
            Enrolment.user_id.in_(
                select(User.id).where(User.administration_id == criteria.administration_id)
            )
        )
    return conditions


@dataclass(frozen=True)
class _Statements:
    """A page of the enrolments that meet some conditions, how it is read, and their count."""

    page: Select[Any]
    count: Select[int]
    read: Callable[[Mapping[str, Any]], Sequence[Any]]

    @classmethod
    def of(cls, conditions: list[Any], *, own: bool) -> _Statements:
        page = _statement(own).where(*conditions).limit(PAGE_SIZE).offset(PAGE_OFFSET)
        count = select(func.count()).select_from(Enrolment).where(*conditions)
        return cls(
            page, count, lambda parameters: db.session.connection().execute(page, parameters).all()
        )


@cache
def _own_statements(*, by_status: bool) -> _Statements:
    """Any actor's own enrolments: the same statements for everyone, compiled once and read on
    the driver (the hot read of a trainee's home screen)."""
    conditions = [policy.enrolments.held.filter_for_any_actor()]
    if by_status:
        conditions.append(Enrolment.status == STATUS)
    statements = _Statements.of(conditions, own=True)
    return replace(statements, read=DriverRead(statements.page).rows)


def _page(
    statements: _Statements,
    parameters: dict[str, Any],
    language: str,
    request: PageRequest,
    shape: Shape[T],
    *,
    own: bool,
) -> Page[T]:
    """One page; ``own`` enrolments (one trainee's, or one) with the lessons to resume at, and
    counted by the page's statement, others (up to every enrolment) counted on their own."""
    parameters = {**parameters, PAGE_SIZE.key: request.per_page, PAGE_OFFSET.key: request.offset}
    rows = statements.read(parameters)
    if own and (rows or request.offset == 0):
        total = rows[0].total if rows else 0
    else:  # counted on its own, or a page past the last one
        total = db.session.scalar(statements.count, parameters)
    courses = syllabi(row.course_id for row in rows)
    # A course deleted since the page was read took its enrolments with it.
    items = [
        shape(row, courses[row.course_id], language) for row in rows if row.course_id in courses
    ]
    return Page(items=items, total=total or 0, request=request)


@cache
def _statement(own: bool) -> Select[Any]:
    """Every enrolment with what its view shows but its course's texts and outline (each
    process remembers those), newest first; built once per process (building it cost more than
    running it), each request adds its conditions and page. Own active enrolments come with the
    lessons they completed, to find the one to resume at."""
    statement = (
        select(
            Enrolment.id,
            Enrolment.status,
            Enrolment.source,
            Enrolment.progress_percent,
            Enrolment.enrolled_at,
            Enrolment.due_at,
            Enrolment.started_at,
            Enrolment.last_activity_at,
            Enrolment.completed_at,
            Enrolment.course_id,
            User.id.label("user_id"),
            User.full_name,
            User.email,
            Administration.code.label("administration_code"),
            CourseRun.id.label("run_id"),
            CourseRun.name.label("run_name"),
            CourseRun.starts_at.label("run_starts_at"),
            CourseRun.ends_at.label("run_ends_at"),
        )
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(Administration, Administration.id == User.administration_id)
        .outerjoin(CourseRun, CourseRun.id == Enrolment.run_id)
        .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
    )
    if not own:
        return statement.add_columns(cast(null(), String).label("completed_lessons"))
    completed = (
        select(joined_text(cast(LessonProgress.lesson_id, String), LIST_SEPARATOR))
        .where(LessonProgress.enrolment_id == Enrolment.id)
        .scalar_subquery()
    )
    return statement.add_columns(
        case((Enrolment.status == EnrolmentStatus.ACTIVE, func.coalesce(completed, ""))).label(
            "completed_lessons"
        ),
        func.count().over().label("total"),
    )


def row_view(row: Any, course: Syllabus, language: str) -> EnrolmentView:
    administration = row.administration_code
    run = (
        RunRef(row.run_id, row.run_name, row.run_starts_at, row.run_ends_at)
        if row.run_id is not None
        else None
    )
    enrolment = EnrolmentRecord(
        id=row.id,
        status=row.status,
        source=row.source,
        progress_percent=row.progress_percent,
        enrolled_at=row.enrolled_at,
        due_at=row.due_at,
        started_at=row.started_at,
        last_activity_at=row.last_activity_at,
        completed_at=row.completed_at,
        user=TraineeRef(
            row.user_id,
            row.full_name,
            row.email,
            AdministrationRef(administration) if administration is not None else None,
        ),
        run=run,
    )
    shown_in = course.language(language)
    reference = CourseRef(course.id, course.slug, course.title(language), shown_in)
    lesson = lesson_to_resume(row, course)
    next_lesson = LessonRef(lesson.id, lesson.kind, lesson.title(shown_in)) if lesson else None
    return EnrolmentView(enrolment, reference, next_lesson)


def lesson_to_resume(row: Any, course: Syllabus) -> SyllabusLesson | None:
    """The first lesson of the outline not yet completed, for own active enrolments."""
    if row.completed_lessons is None:
        return None
    completed = {int(part) for part in row.completed_lessons.split(LIST_SEPARATOR) if part}
    return course.first_lesson_not_in(completed)
