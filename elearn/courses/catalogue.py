"""Reading courses: the catalogue, one course with its outline, one lesson.

Loaders fetch each collection with one batched query, so the number of queries per request
does not grow with the number of courses, modules or lessons.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from elearn import policy
from elearn.accounts import service as accounts
from elearn.accounts.models import User
from elearn.courses import views
from elearn.courses.models import (
    Course,
    CourseOwner,
    CourseStatus,
    CourseTranslation,
    Lesson,
    LessonTranslation,
    Module,
)
from elearn.errors import NotFound
from elearn.extensions import db
from elearn.pagination import Page, PageRequest, fetch_page


class CatalogueSort(StrEnum):
    TITLE = "title"
    TITLE_DESC = "-title"
    CODE = "code"
    NEWEST = "newest"


@dataclass(frozen=True)
class CatalogueFilter:
    search: str | None = None
    language: str | None = None
    topic: str | None = None
    administration_code: str | None = None
    status: CourseStatus | None = None
    owned: bool = False
    sort: CatalogueSort = CatalogueSort.TITLE


def list_courses(
    actor: User, criteria: CatalogueFilter, requested: str | None, page: PageRequest
) -> Page[views.CourseCard]:
    """The courses ``actor`` may see, filtered, in a stable order, as cards in one language."""
    statement = _sorted(
        select(Course).where(policy.visible_courses_clause(actor)), criteria.sort, requested
    )
    if criteria.search:
        needle = _like_pattern(criteria.search.casefold())
        statement = statement.where(
            Course.translations.any(CourseTranslation.search_text.like(needle, escape="\\"))
        )
    if criteria.language:
        statement = statement.where(Course.translations.any(lang=criteria.language))
    if criteria.topic:
        statement = statement.where(Course.topic_links.any(topic=criteria.topic))
    if criteria.administration_code:
        administration = accounts.resolve_administration(criteria.administration_code)
        assert administration is not None
        statement = statement.where(
            or_(
                ~Course.administration_links.any(),
                Course.administration_links.any(administration_id=administration.id),
            )
        )
    if criteria.status is not None:
        statement = statement.where(Course.status == criteria.status)
    if criteria.owned:
        statement = statement.where(Course.owner_links.any(user_id=actor.id))
    page_of_courses = fetch_page(statement, page)
    return Page(
        items=[views.course_card(course, requested) for course in page_of_courses.items],
        total=page_of_courses.total,
        request=page_of_courses.request,
    )


def _sorted(
    statement: Select[Course], sort: CatalogueSort, requested: str | None
) -> Select[Course]:
    if sort is CatalogueSort.CODE:
        return statement.order_by(Course.code, Course.id)
    if sort is CatalogueSort.NEWEST:
        return statement.order_by(Course.created_at.desc(), Course.id.desc())
    # The title a card shows: the requested language's when the course has it, else the default's.
    default_text = aliased(CourseTranslation)
    statement = statement.outerjoin(
        default_text,
        (default_text.course_id == Course.id) & (default_text.lang == Course.default_language),
    )
    title: ColumnElement[str] = default_text.sort_title.expression
    if requested is not None:
        wanted_text = aliased(CourseTranslation)
        statement = statement.outerjoin(
            wanted_text, (wanted_text.course_id == Course.id) & (wanted_text.lang == requested)
        )
        title = func.coalesce(wanted_text.sort_title, default_text.sort_title)
    if sort is CatalogueSort.TITLE_DESC:
        return statement.order_by(title.desc(), Course.id.desc())
    return statement.order_by(title, Course.id)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def load_course(course_id: int, *, outline: bool = False) -> Course:
    """One course; with its modules, lessons and lesson titles when ``outline``."""
    statement = select(Course).where(Course.id == course_id)
    if outline:
        statement = statement.options(
            selectinload(Course.owner_links).selectinload(CourseOwner.user),
            selectinload(Course.modules)
            .selectinload(Module.lessons)
            .selectinload(Lesson.translations)
            .load_only(
                LessonTranslation.lesson_id, LessonTranslation.lang, LessonTranslation.title
            ),
        )
    course = db.session.scalar(statement)
    if course is None:
        raise NotFound("No such course.")
    return course


def load_lesson(course: Course, lesson_id: int) -> Lesson:
    """A lesson of ``course`` with its texts and quiz; another course's lesson does not exist."""
    lesson = db.session.scalar(
        select(Lesson)
        .where(Lesson.id == lesson_id, Lesson.course_id == course.id)
        .options(selectinload(Lesson.translations), selectinload(Lesson.quiz))
    )
    if lesson is None:
        raise NotFound("No such lesson.")
    return lesson
