"""Creating and editing courses: settings, texts, owners, and the publication lifecycle."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from elearn import clock, policy
from elearn.accounts import service as accounts
from elearn.accounts.models import Administration, User
from elearn.audit import service as audit_log
from elearn.courses.models import (
    Course,
    CourseOwner,
    CourseStatus,
    CourseTopic,
    CourseTranslation,
)
from elearn.courses.service import completeness, outline
from elearn.errors import Conflict, Invalid, NotFound
from elearn.extensions import db

SETTINGS = (
    "code",
    "estimated_minutes",
    "pass_mark",
    "completion_lessons",
    "completion_quizzes",
    "due_days",
)


@dataclass(frozen=True)
class CourseText:
    title: str
    summary: str = ""
    objectives: Sequence[str] = field(default_factory=tuple)


def find_course(course_id: int) -> Course:
    """The course with this id; 404 when there is none."""
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFound("No such course.")
    return course


def find_course_by_slug(slug: str) -> Course | None:
    """The course with this slug, if any (packages find their course this way)."""
    return db.session.scalar(select(Course).where(Course.slug == slug))


def create_course(actor: User | None, values: Mapping[str, Any]) -> Course:
    """A draft course with a unique slug; a trainer creating it becomes its owner."""
    _ensure_slug_free(values["slug"])
    course = Course(
        slug=values["slug"],
        default_language=values["default_language"],
        status=CourseStatus.DRAFT,
    )
    db.session.add(course)
    apply_changes(course, values)
    if actor is not None and policy.courses.can_own_courses(actor):
        course.owner_links.append(CourseOwner(user=actor))
    _flush_unique(course.slug)
    audit_log.record(actor, "course.created", "course", course.id, slug=course.slug)
    return course


def update_course(actor: User | None, course: Course, changes: Mapping[str, Any]) -> Course:
    """Apply settings and texts; the default language always keeps a text."""
    if "slug" in changes and changes["slug"] != course.slug:
        _ensure_slug_free(changes["slug"])
        course.slug = changes["slug"]
    apply_changes(course, changes)
    _flush_unique(course.slug)
    audit_log.record(actor, "course.updated", "course", course.id, fields=sorted(changes))
    return course


def apply_changes(course: Course, changes: Mapping[str, Any]) -> None:
    """Set what ``changes`` names (settings, topics, administrations, texts); shared with import."""
    for name in SETTINGS:
        if name in changes:
            setattr(course, name, changes[name])
    if "topics" in changes:
        _set_topics(course, changes["topics"])
    if "administrations" in changes:
        course.restrict_to(_administrations(changes["administrations"]))
    for language, text in (changes.get("translations") or {}).items():
        _set_text(course, language, text)
    if "default_language" in changes:
        course.default_language = changes["default_language"]
    if course.translation(course.default_language) is None:
        raise Invalid(
            "The default language needs a title.",
            errors={f"translations.{course.default_language}": ["The default language's text."]},
        )


def _set_topics(course: Course, topics: Iterable[str]) -> None:
    wanted = sorted(set(topics))
    kept = [link for link in course.topic_links if link.topic in wanted]
    present = {link.topic for link in kept}
    course.topic_links = kept + [CourseTopic(topic=t) for t in wanted if t not in present]


def _set_text(course: Course, language: str, text: CourseText | None) -> None:
    existing = course.translation(language)
    if text is None:
        if existing is not None:
            course.translations.remove(existing)
        return
    if existing is None:
        existing = CourseTranslation(lang=language, title=text.title)
        course.translations.append(existing)
    existing.title = text.title
    existing.summary = text.summary
    existing.objectives = list(text.objectives)


def _administrations(codes: Iterable[str]) -> list[Administration]:
    found = []
    for code in codes:
        administration = accounts.resolve_administration(code)
        if administration is not None:
            found.append(administration)
    return found


def _ensure_slug_free(slug: str) -> None:
    if find_course_by_slug(slug) is not None:
        raise Conflict("A course with this slug already exists.", errors={"slug": ["Taken."]})


def _flush_unique(slug: str) -> None:
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(
            f"A course with the slug {slug!r} already exists.", errors={"slug": ["Taken."]}
        ) from None


# owners


def add_owner(actor: User, course: Course, user_id: int) -> Course:
    """Make an active trainer a co-owner (adding an owner twice changes nothing)."""
    user = db.session.get(User, user_id)
    if user is None or not policy.courses.can_own_courses(user):
        raise Invalid(
            "Owners must be active trainers.", errors={"user_id": ["Not an active trainer."]}
        )
    if user.id not in course.owner_ids:
        course.owner_links.append(CourseOwner(user=user))
        audit_log.record(actor, "course.owner_added", "course", course.id, user_id=user.id)
        db.session.flush()
    return course


def remove_owner(actor: User, course: Course, user_id: int) -> Course:
    """Remove a co-owner; the last owner stays, so a course is never left without one."""
    link = next((link for link in course.owner_links if link.user_id == user_id), None)
    if link is None:
        raise NotFound("This user does not own the course.")
    if len(course.owner_links) == 1:
        raise Conflict("A course keeps at least one owner; add another owner first.")
    course.owner_links.remove(link)
    audit_log.record(actor, "course.owner_removed", "course", course.id, user_id=user_id)
    db.session.flush()
    return course


# lifecycle


def publish_course(actor: User | None, course: Course) -> Course:
    """Publish a course complete in its default language; 409 lists every gap otherwise."""
    gaps = completeness.publication_gaps(outline.lock_outline(course))
    if gaps:
        raise Conflict(
            f"The course is not complete in its default language ({course.default_language}).",
            errors=gaps,
        )
    if course.status != CourseStatus.PUBLISHED:
        course.status = CourseStatus.PUBLISHED
        course.published_at = clock.now()
        audit_log.record(actor, "course.published", "course", course.id)
    db.session.flush()
    return course


def unpublish_course(actor: User, course: Course) -> Course:
    """Back to draft (from published or archived)."""
    return _change_status(actor, course, CourseStatus.DRAFT, "course.unpublished")


def archive_course(actor: User, course: Course) -> Course:
    """Archived courses leave the catalogue; their content and history stay."""
    return _change_status(actor, course, CourseStatus.ARCHIVED, "course.archived")


def _change_status(actor: User, course: Course, status: CourseStatus, action: str) -> Course:
    if course.status != status:
        course.status = status
        audit_log.record(actor, action, "course", course.id)
        db.session.flush()
    return course
