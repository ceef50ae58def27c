"""Reading courses: the catalogue, one course with its outline, one lesson.

Loaders fetch each collection with one batched query, so the number of queries per request
does not grow with the number of courses, modules or lessons.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, or_, select
from sqlalchemy.orm import aliased, selectinload

from elearn import policy
from elearn.accounts import service as accounts
from elearn.accounts.models import User
from elearn.courses.models import (
    Course,
    CourseOwner,
    CourseStatus,
    CourseTopic,
    CourseTranslation,
    Lesson,
    LessonTranslation,
    Module,
)
from elearn.courses.models.course import ordered_languages
from elearn.courses.models.versions import remembered_cards, remembered_sightings
from elearn.courses.queries import read_models as views
from elearn.database import contains_text
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
    statement = select(Course.id).where(policy.courses.visible.filter(actor))
    statement = _sorted(_filtered(statement, actor, criteria), criteria.sort, requested)
    page_of_ids = fetch_page(statement, page)
    return Page(
        items=_cards(page_of_ids.items, requested),
        total=page_of_ids.total,
        request=page_of_ids.request,
    )


def _filtered(statement: Select[int], actor: User, criteria: CatalogueFilter) -> Select[int]:
    if criteria.search:
        needle = _like_pattern(criteria.search.casefold())
        statement = statement.where(
            or_(
                Course.translations.any(CourseTranslation.search_text.like(needle, escape="\\")),
                contains_text(Course.code, criteria.search),
            )
        )
    if criteria.language:
        statement = statement.where(Course.translations.any(lang=criteria.language))
    if criteria.topic:
        statement = statement.where(Course.topic_links.any(topic=criteria.topic))
    if criteria.administration_code:
        administration = accounts.resolve_administration(criteria.administration_code)
        assert administration is not None
        statement = statement.where(Course.admits_clause(administration.id))
    if criteria.status is not None:
        statement = statement.where(Course.status == criteria.status)
    if criteria.owned:
        statement = statement.where(policy.courses.owned.filter(actor))
    return statement


# Built once: making aliases and their join conditions per request costs more than the SQL.
_DEFAULT_TEXT = aliased(CourseTranslation, name="default_text")
_WANTED_TEXT = aliased(CourseTranslation, name="wanted_text")
_DEFAULT_TEXT_JOIN = (_DEFAULT_TEXT.course_id == Course.id) & (
    _DEFAULT_TEXT.lang == Course.default_language
)


def _texts(statement: Select[Any], requested: str | None) -> tuple[Select[Any], _Texts]:
    """Join a card's texts: the requested language's if the course has it, else the default's."""
    statement = statement.outerjoin(_DEFAULT_TEXT, _DEFAULT_TEXT_JOIN)
    if requested is None:
        return statement, _Texts(wanted=False)
    statement = statement.outerjoin(
        _WANTED_TEXT, (_WANTED_TEXT.course_id == Course.id) & (_WANTED_TEXT.lang == requested)
    )
    return statement, _Texts(wanted=True)


@dataclass(frozen=True)
class _Texts:
    wanted: bool

    def column(self, name: str) -> ColumnElement[Any]:
        fallback: ColumnElement[Any] = getattr(_DEFAULT_TEXT, name).expression
        if not self.wanted:
            return fallback
        return func.coalesce(getattr(_WANTED_TEXT, name), fallback)

    @property
    def language(self) -> ColumnElement[Any]:
        return _WANTED_TEXT.lang.expression if self.wanted else literal(None)


def _sorted(statement: Select[int], sort: CatalogueSort, requested: str | None) -> Select[int]:
    if sort is CatalogueSort.CODE:
        return statement.order_by(Course.code, Course.id)
    if sort is CatalogueSort.NEWEST:
        return statement.order_by(Course.created_at.desc(), Course.id.desc())
    statement, texts = _texts(statement, requested)
    title = texts.column("sort_title")
    if sort is CatalogueSort.TITLE_DESC:
        return statement.order_by(title.desc(), Course.id.desc())
    return statement.order_by(title, Course.id)


def _cards(course_ids: Sequence[int], requested: str | None) -> list[views.CourseCard]:
    """Cards read as plain rows (no ORM objects): the catalogue is the hottest read."""
    if not course_ids:
        return []
    statement, texts = _texts(select(Course).where(Course.id.in_(course_ids)), requested)
    rows = db.session.execute(
        statement.with_only_columns(
            *CARD_COLUMNS,
            texts.column("title").label("title"),
            texts.column("summary").label("summary"),
            texts.language.label("wanted_language"),
        )
    ).all()
    languages = _grouped(select(CourseTranslation.course_id, CourseTranslation.lang), course_ids)
    topics = _grouped(select(CourseTopic.course_id, CourseTopic.topic), course_ids)
    by_id = {row.id: row for row in rows}
    return [
        views.CourseCard(
            id=row.id,
            slug=row.slug,
            code=row.code,
            status=row.status,
            default_language=row.default_language,
            languages=ordered_languages(row.default_language, languages.get(row.id, [])),
            language=row.wanted_language or row.default_language,
            title=row.title or row.slug,
            summary=row.summary or "",
            topics=sorted(topics.get(row.id, [])),
            estimated_minutes=row.estimated_minutes,
            updated_at=row.updated_at,
        )
        for row in (by_id[course_id] for course_id in course_ids)
    ]


CARD_COLUMNS = (
    Course.id,
    Course.slug,
    Course.code,
    Course.status,
    Course.default_language,
    Course.estimated_minutes,
    Course.updated_at,
)


def _grouped(statement: Select[Any, Any], course_ids: Sequence[int]) -> dict[int, list[str]]:
    owner = statement.selected_columns[0]
    grouped: dict[int, list[str]] = {}
    for course_id, value in db.session.execute(statement.where(owner.in_(course_ids))):
        grouped.setdefault(course_id, []).append(value)
    return grouped


def fingerprint() -> tuple[int, int]:
    """Changes with any committed change to any course's card or visibility, or to the courses;
    remembered until the next (see models.versions)."""
    return remembered_cards.get(None, _read_fingerprint)


def _read_fingerprint() -> tuple[int, int]:
    # The random card_version of each course is renewed by a flush hook (models.versions).
    count, total = db.session.execute(
        select(func.count(Course.id), func.coalesce(func.sum(Course.card_version), 0))
    ).one()
    return int(count), int(total)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class Sighting:
    """A course as one caller may see it: its version (see models.versions), and whether they
    edit it (editors see more than the others, who all see the same)."""

    card_version: int
    editor: bool


def remembered_sighting(scope: Hashable, course_id: int, actor: Callable[[], User]) -> Sighting:
    """``sighting(actor(), course_id)`` for a caller whose ``policy.courses.catalogue_scope`` is
    ``scope`` (which decides what they see and edit), remembered for everyone of that scope
    until a course changes (see models.versions)."""
    return remembered_sightings.get((scope, course_id), lambda: sighting(actor(), course_id))


def sighting(actor: User, course_id: int) -> Sighting:
    """One indexed query; NotFound when the course does not exist or ``actor`` may not see it."""
    row = db.session.execute(
        select(Course.card_version, policy.courses.edit.filter(actor).label("editor")).where(
            Course.id == course_id, policy.courses.visible.filter(actor)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("No such course.")
    return Sighting(row.card_version, bool(row.editor))


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
