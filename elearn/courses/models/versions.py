"""What a change to a course moves: its ``updated_at`` and its catalogue card's version.

Both follow net changes only. A row written again with the values it already had is not a
change, so re-importing an unchanged package moves neither (and the course's ETag stays).

``recent_cards`` holds what the catalogue read of every card a moment ago; a change to any
course forgets it in the process that made it (at flush and again at commit).
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
from elearn.http_cache import Recent

COURSE_PARTS = (CourseTranslation, CourseTopic, CourseAdministration, CourseOwner, Module, Lesson)
LESSON_PARTS = (LessonTranslation, QuizDefinition)
RECENT_CARD_SECONDS = 1.0
COURSES_CHANGED = "elearn.courses_changed"

recent_cards: Recent[tuple[int, int]] = Recent(RECENT_CARD_SECONDS, size=1)


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
        session.info[COURSES_CHANGED] = True
        recent_cards.forget()
    now = clock.now()
    for course in changed:
        course.card_version = new_card_version()
        course.updated_at = now


@event.listens_for(Session, "after_commit")
def _forget_recent_cards(session: Session) -> None:
    # Again at commit: a read between the flush and the commit may have cached the old cards.
    if session.info.pop(COURSES_CHANGED, False):
        recent_cards.forget()


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
