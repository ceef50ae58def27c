"""Reports on officers' standing: one officer's transcript, a course-by-officer matrix."""

from __future__ import annotations

from elearn.courses.models import Course
from elearn.policy import accounts, courses
from elearn.policy.rules import CONTACT_POINT, IN_AN_ADMINISTRATION, Rule

# The officer themself, their contact point and admins (anyone else: 404).
transcript = accounts.user_visible

# The course's trainers and admins (every officer); contact points (their administration's).
course_matrix = Rule(
    "officer_reports.course_matrix",
    Course,
    courses.edit.allow | CONTACT_POINT & IN_AN_ADMINISTRATION,
)
