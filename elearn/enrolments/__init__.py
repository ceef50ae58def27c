"""Enrolments: course runs, enrolments, admission, assignments, lesson progress and completion."""
