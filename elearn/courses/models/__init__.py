"""The courses domain's tables, one module per concept."""

# Importing the models registers the flush hook that dates and versions every course change.
from elearn.courses.models import versions  # noqa: F401
from elearn.courses.models.course import (
    Course,
    CourseAdministration,
    CourseOwner,
    CourseStatus,
    CourseTopic,
    CourseTranslation,
    LessonRule,
    QuizRule,
)
from elearn.courses.models.outline import Lesson, LessonKind, LessonTranslation, Module
from elearn.courses.models.quiz import QuizDefinition

__all__ = [
    "Course",
    "CourseAdministration",
    "CourseOwner",
    "CourseStatus",
    "CourseTopic",
    "CourseTranslation",
    "Lesson",
    "LessonKind",
    "LessonRule",
    "LessonTranslation",
    "Module",
    "QuizDefinition",
    "QuizRule",
]
