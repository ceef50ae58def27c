"""Enrolments: course runs, enrolments, lesson progress and completion."""
