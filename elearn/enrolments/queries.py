"""Reading enrolments: the caller's, a course's, an administration's, and one enrolment.

A page is two statements: the count, and the rows, each enrolment with its trainee, run, course
title in the wanted language and, for the caller's own active enrolments, the lesson to resume at
(the first of the outline not yet completed). The caller's own enrolments, a handful, are
counted in the page's statement (a window count), so their page is one statement. Rows become
small read-only records, not ORM objects: building and serialising those was most of the time of
a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    Select,
    String,
    bindparam,
    case,
    cast,
    exists,
    func,
    null,
    select,
)
from sqlalchemy.orm import aliased

from elearn import policy
from elearn.accounts.models import Administration, User
from elearn.courses.models import Course, CourseTranslation, Lesson, LessonTranslation, Module
from elearn.enrolments.models import CourseRun, Enrolment, EnrolmentStatus, LessonProgress
from elearn.extensions import db
from elearn.pagination import Page, PageRequest

# The language course and lesson titles are wanted in (each falls back on its own).
LANGUAGE = bindparam("title_language", type_=String)
PAGE_SIZE = bindparam("page_size", type_=Integer)
PAGE_OFFSET = bindparam("page_offset", type_=Integer)


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


@dataclass(frozen=True)
class OwnEnrolments:
    """One trainee's enrolments: the filter of theirs (``policy.enrolments.held.filter`` of
    them) and the statement of their pages, made once and kept with the caller (building a
    statement and its cache key costs more than running it)."""

    held: ColumnElement[bool]
    pages: Select[Any]

    @classmethod
    def of(cls, held: ColumnElement[bool]) -> OwnEnrolments:
        return cls(held, _paged(_statement(True).where(held)))


def list_my_enrolments(
    own: OwnEnrolments, criteria: EnrolmentFilter, language: str, page: PageRequest
) -> Page[EnrolmentView]:
    """The caller's enrolments, newest first, with the lesson to resume each active one at."""
    if criteria == EnrolmentFilter():
        return _page([own.held], language, page, own=True, statement=own.pages)
    return _page(_filtered(own.held, criteria), language, page, own=True)


def list_enrolments(
    actor: User, criteria: EnrolmentFilter, language: str, page: PageRequest
) -> Page[EnrolmentView]:
    """The enrolments ``actor`` may see (admins all, contact points their administration's)."""
    condition = policy.enrolments.visible.filter(actor)
    return _page(_filtered(condition, criteria), language, page, own=False)


def enrolment_view(enrolment: Enrolment, language: str) -> EnrolmentView:
    """One enrolment with its course title and the lesson to resume at."""
    (view,) = _page([Enrolment.id == enrolment.id], language, PageRequest(), own=True).items
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


def _page(
    conditions: list[Any],
    language: str,
    request: PageRequest,
    *,
    own: bool,
    statement: Select[Any] | None = None,
) -> Page[EnrolmentView]:
    """One page (of ``statement``, else of the conditions); ``own`` enrolments (one trainee's,
    or one) with the lessons to resume at, and counted by the page's statement, others (up to
    every enrolment) counted on their own."""
    if statement is None:
        statement = _paged(_statement(own).where(*conditions))
    parameters = {
        LANGUAGE.key: language,
        PAGE_SIZE.key: request.per_page,
        PAGE_OFFSET.key: request.offset,
    }
    rows = db.session.execute(statement, parameters).all()
    if own and (rows or request.offset == 0):
        total = rows[0].total if rows else 0
    else:  # counted on its own, or a page past the last one
        total = db.session.scalar(select(func.count()).select_from(Enrolment).where(*conditions))
    return Page(items=[_view(row) for row in rows], total=total or 0, request=request)


def _paged(statement: Select[Any]) -> Select[Any]:
    return statement.limit(PAGE_SIZE).offset(PAGE_OFFSET)


def _course_title(lang: Any) -> Any:
    return (
        select(CourseTranslation.title)
        .where(CourseTranslation.course_id == Course.id, CourseTranslation.lang == lang)
        .scalar_subquery()
    )


def _lesson_title(lesson: Any, condition: ColumnElement[bool] | None) -> Any:
    statement = select(LessonTranslation.title).where(LessonTranslation.lesson_id == lesson.id)
    if condition is not None:
        statement = statement.where(condition)
    return statement.order_by(LessonTranslation.lang).limit(1).scalar_subquery()


def _next_lesson_id() -> Any:
    """The first lesson of the outline the enrolment has not completed, for active ones."""
    completed = (
        exists()
        .where(LessonProgress.enrolment_id == Enrolment.id, LessonProgress.lesson_id == Lesson.id)
        .correlate_except(LessonProgress)
    )
    first = (
        select(Lesson.id)
        .join(Module, Module.id == Lesson.module_id)
        .where(Lesson.course_id == Enrolment.course_id, Lesson.archived_at.is_(None), ~completed)
        .order_by(Module.position, Lesson.position)
        .limit(1)
        .scalar_subquery()
    )
    return case((Enrolment.status == EnrolmentStatus.ACTIVE, first))


@cache
def _statement(own: bool) -> Select[Any]:
    """Every enrolment with what its view shows, newest first; built once per process (building
    it cost more than running it), each request adds its conditions and page."""
    has_language = exists().where(
        CourseTranslation.course_id == Course.id, CourseTranslation.lang == LANGUAGE
    )
    chosen = case((has_language, LANGUAGE), else_=Course.default_language)
    title = func.coalesce(
        _course_title(LANGUAGE), _course_title(Course.default_language), Course.slug
    )
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
            User.id.label("user_id"),
            User.full_name,
            User.email,
            Administration.code.label("administration_code"),
            CourseRun.id.label("run_id"),
            CourseRun.name.label("run_name"),
            CourseRun.starts_at.label("run_starts_at"),
            CourseRun.ends_at.label("run_ends_at"),
            Course.id.label("course_id"),
            Course.slug.label("course_slug"),
            title.label("course_title"),
            chosen.label("course_language"),
        )
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(Administration, Administration.id == User.administration_id)
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(CourseRun, CourseRun.id == Enrolment.run_id)
        .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
    )
    if not own:
        return statement.add_columns(cast(null(), Integer).label("next_lesson_id"))
    lesson = aliased(Lesson, name="next_lesson")
    lesson_title = func.coalesce(
        _lesson_title(lesson, LessonTranslation.lang == chosen), _lesson_title(lesson, None), ""
    )
    return statement.add_columns(
        lesson.id.label("next_lesson_id"),
        lesson.kind.label("next_lesson_kind"),
        lesson_title.label("next_lesson_title"),
        func.count().over().label("total"),
    ).outerjoin(lesson, lesson.id == _next_lesson_id())


def _view(row: Row[Any]) -> EnrolmentView:
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
    course = CourseRef(row.course_id, row.course_slug, row.course_title, row.course_language)
    next_lesson = (
        LessonRef(row.next_lesson_id, row.next_lesson_kind, row.next_lesson_title)
        if row.next_lesson_id is not None
        else None
    )
    return EnrolmentView(enrolment, course, next_lesson)
