"""Learning: course runs, enrolments, lesson progress and completion."""
