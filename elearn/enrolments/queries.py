"""Reading enrolments: the caller's, a course's, an administration's, and one enrolment.

A list is one page query (trainee and run joined in) plus a fixed number of batched look-ups
(course titles; for the caller's own list, the next lesson of each enrolment), so the number
of queries does not grow with the number of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, lazyload

from elearn import policy
from elearn.accounts.models import User
from elearn.courses.models import Course, CourseTranslation, Lesson, LessonTranslation, Module
from elearn.enrolments.models import CourseRun, Enrolment, EnrolmentStatus, LessonProgress
from elearn.extensions import db
from elearn.pagination import Page, PageRequest, fetch_page


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
class EnrolmentView:
    enrolment: Enrolment
    course: CourseRef
    next_lesson: LessonRef | None = None


def _page_statement(criteria: EnrolmentFilter) -> Select[Enrolment]:
    statement = (
        select(Enrolment)
        .options(
            joinedload(Enrolment.user).options(lazyload(User.role_links)),
            joinedload(Enrolment.run).options(lazyload(CourseRun.administration_links)),
        )
        .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
    )
    if criteria.status is not None:
        statement = statement.where(Enrolment.status == criteria.status)
    if criteria.course_id is not None:
        statement = statement.where(Enrolment.course_id == criteria.course_id)
    if criteria.administration_id is not None:
        statement = statement.where(
            Enrolment.user_id.in_(
                select(User.id).where(User.administration_id == criteria.administration_id)
            )
        )
    return statement


def list_my_enrolments(
    actor: User, criteria: EnrolmentFilter, language: str, page: PageRequest
) -> Page[EnrolmentView]:
    """The caller's enrolments, newest first, with the lesson to resume each active one at."""
    statement = _page_statement(criteria).where(policy.enrolments.held.filter(actor))
    return _views(fetch_page(statement, page), language, next_lessons=True)


def list_enrolments(
    actor: User, criteria: EnrolmentFilter, language: str, page: PageRequest
) -> Page[EnrolmentView]:
    """The enrolments ``actor`` may see (admins all, contact points their administration's)."""
    statement = _page_statement(criteria).where(policy.enrolments.visible.filter(actor))
    return _views(fetch_page(statement, page), language, next_lessons=False)


def enrolment_view(enrolment: Enrolment, language: str) -> EnrolmentView:
    """One enrolment with its course title and the lesson to resume at."""
    page = Page(items=[enrolment], total=1, request=PageRequest())
    return _views(page, language, next_lessons=True).items[0]


def _views(
    page: Page[Enrolment], language: str | None, *, next_lessons: bool
) -> Page[EnrolmentView]:
    courses = course_refs({enrolment.course_id for enrolment in page.items}, language)
    upcoming = _next_lessons(page.items, courses) if next_lessons else {}
    views = [
        EnrolmentView(enrolment, courses[enrolment.course_id], upcoming.get(enrolment.id))
        for enrolment in page.items
    ]
    return Page(items=views, total=page.total, request=page.request)


def course_refs(course_ids: set[int], language: str | None) -> dict[int, CourseRef]:
    """Each course's title in ``language`` when it has one, else in its default language."""
    if not course_ids:
        return {}
    rows = db.session.execute(
        select(Course.id, Course.slug, Course.default_language, CourseTranslation.lang)
        .add_columns(CourseTranslation.title)
        .join(CourseTranslation, CourseTranslation.course_id == Course.id)
        .where(Course.id.in_(course_ids))
    ).all()
    titles: dict[int, dict[str, str]] = {}
    for course_id, _slug, _default, lang, title in rows:
        titles.setdefault(course_id, {})[lang] = title
    refs = {}
    for course_id, slug, default, _lang, _title in rows:
        chosen = language if language in titles[course_id] else default
        refs[course_id] = CourseRef(course_id, slug, titles[course_id].get(chosen, slug), chosen)
    return refs


def _next_lessons(
    enrolments: Sequence[Enrolment], courses: dict[int, CourseRef]
) -> dict[int, LessonRef]:
    """For each active enrolment, the first lesson of the outline it has not completed."""
    active = [e for e in enrolments if e.status == EnrolmentStatus.ACTIVE]
    if not active:
        return {}
    outline = db.session.execute(
        select(Lesson.id, Lesson.course_id, Lesson.kind)
        .join(Module, Module.id == Lesson.module_id)
        .where(Lesson.course_id.in_({e.course_id for e in active}), Lesson.archived_at.is_(None))
        .order_by(Module.position, Lesson.position)
    ).all()
    done = {
        (enrolment_id, lesson_id)
        for enrolment_id, lesson_id in db.session.execute(
            select(LessonProgress.enrolment_id, LessonProgress.lesson_id).where(
                LessonProgress.enrolment_id.in_([e.id for e in active])
            )
        )
    }
    chosen: dict[int, tuple[int, str]] = {}
    for enrolment in active:
        for lesson_id, course_id, kind in outline:
            if course_id == enrolment.course_id and (enrolment.id, lesson_id) not in done:
                chosen[enrolment.id] = (lesson_id, kind)
                break
    titles = _lesson_titles([lesson_id for lesson_id, _ in chosen.values()])
    by_enrolment = {e.id: e for e in active}
    return {
        enrolment_id: LessonRef(
            lesson_id,
            kind,
            _pick(titles.get(lesson_id, {}), courses[by_enrolment[enrolment_id].course_id]),
        )
        for enrolment_id, (lesson_id, kind) in chosen.items()
    }


def _lesson_titles(lesson_ids: list[int]) -> dict[int, dict[str, str]]:
    titles: dict[int, dict[str, str]] = {}
    if lesson_ids:
        for lesson_id, lang, title in db.session.execute(
            select(
                LessonTranslation.lesson_id, LessonTranslation.lang, LessonTranslation.title
            ).where(LessonTranslation.lesson_id.in_(lesson_ids))
        ):
            titles.setdefault(lesson_id, {})[lang] = title
    return titles


def _pick(titles: dict[str, str], course: CourseRef) -> str:
    return titles.get(course.language) or next(iter(titles.values()), "")
