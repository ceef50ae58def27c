"""Operations on runs and enrolments: enrolling, bulk enrolment, changes, progress, audit trail."""
