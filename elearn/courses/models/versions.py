"""What a change to a course moves: its ``updated_at`` and its catalogue card's version.

Both follow net changes only. A row written again with the values it already had is not a
change, so re-importing an unchanged package moves neither (and the course's ETag stays).

``remembered_cards`` holds what the catalogue read of every card, ``remembered_sightings`` what
each visibility scope sees of each course; any change to a course forgets them, in every
process (the ``courses`` topic of ``elearn.infra.change_feed``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from elearn import clock
from elearn.courses.models.course import (
    Course,
    CourseAdministration,
    CourseOwner,
    CourseTopic,
    CourseTranslation,
    new_card_version,
)
from elearn.courses.models.outline import Lesson, LessonTranslation, Module
from elearn.courses.models.quiz import QuizDefinition
from elearn.http_cache import Remembered
from elearn.infra import change_feed

COURSE_PARTS = (CourseTranslation, CourseTopic, CourseAdministration, CourseOwner, Module, Lesson)
LESSON_PARTS = (LessonTranslation, QuizDefinition)
COURSES = "courses"

remembered_cards: Remembered[tuple[int, int]] = Remembered(COURSES, size=1)
# Per visibility scope and course: its version, and whether that scope edits it.
remembered_sightings: Remembered[Any] = Remembered(COURSES, size=65_536)


@event.listens_for(Session, "before_flush")
def _mark_changed_courses(session: Session, _context: Any, _instances: Any) -> None:
    """Any net change to a course's row, texts, topics, restriction, owners or outline renews
    its card version and its ``updated_at``."""
    changed: set[Course] = set()
    with session.no_autoflush:
        modified = (row for row in session.dirty if session.is_modified(row))
        for row in (*session.new, *modified, *session.deleted):
            course = _course_of(session, row)
            if course is not None and course not in session.new:
                changed.add(course)
    if changed or any(isinstance(row, Course) for row in (*session.new, *session.deleted)):
        change_feed.changed(session, COURSES)
    now = clock.now()
    for course in changed:
        course.card_version = new_card_version()
        course.updated_at = now


def _course_of(session: Session, row: object) -> Course | None:
    if isinstance(row, Course):
        return row
    course_id = None
    if isinstance(row, COURSE_PARTS):
        course_id = row.course_id
    elif isinstance(row, LESSON_PARTS) and row.lesson_id is not None:
        lesson = session.get(Lesson, row.lesson_id)
        course_id = lesson.course_id if lesson is not None else None
    return session.get(Course, course_id) if course_id is not None else None
