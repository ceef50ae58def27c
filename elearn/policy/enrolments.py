"""Course runs and enrolments: who sees, enrols, lists and changes them."""

from __future__ import annotations

from elearn.accounts.models import Administration, User
from elearn.courses.models import Course
from elearn.enrolments.models import CourseRun, Enrolment
from elearn.policy import accounts, courses
from elearn.policy.rules import (
    CONTACT_POINT,
    IN_AN_ADMINISTRATION,
    AdmitsActor,
    Rule,
    Via,
    person,
)

THE_TRAINEE = person(Enrolment.user_id)
CONTACT_POINT_OF_THE_TRAINEE = Via(Enrolment.user, accounts.CONTACT_POINT_OF_THE_USER)
EDITOR_OF_THE_COURSE = Via(Enrolment.course, courses.edit.allow)

# Course owners and admins create and edit runs; everyone who sees the course lists them.
manage_runs = courses.edit

# Editors see every run; others the runs of a visible course that admit them.
run_visible = Rule(
    "enrolments.run_visible",
    CourseRun,
    Via(CourseRun.course, courses.edit.allow)
    | Via(CourseRun.course, courses.visible.allow) & AdmitsActor(CourseRun),
)

# Anyone who sees a course may ask to enrol; admission rules then decide.
self_enrol = courses.visible

# Course owners and admins; contact points for the courses their administration sees.
bulk_enrol = Rule(
    "enrolments.bulk_enrol",
    Course,
    courses.edit.allow | CONTACT_POINT & IN_AN_ADMINISTRATION & courses.visible.allow,
)

# Course owners and admins (every row); contact points (their administration's rows).
course_enrolments = Rule(
    "enrolments.course_enrolments",
    Course,
    courses.edit.allow | CONTACT_POINT & IN_AN_ADMINISTRATION,
)

# The trainee, their contact point, the course's trainers and admins.
visible = Rule(
    "enrolments.visible",
    Enrolment,
    THE_TRAINEE | CONTACT_POINT_OF_THE_TRAINEE | EDITOR_OF_THE_COURSE,
)
withdraw = visible

# The course's trainers, the trainee's contact point and admins (not the trainee).
change_due_date = Rule(
    "enrolments.change_due_date", Enrolment, CONTACT_POINT_OF_THE_TRAINEE | EDITOR_OF_THE_COURSE
)

# The enrolments the actor holds: only they record progress in them.
held = Rule("enrolments.held", Enrolment, THE_TRAINEE)


def can_list_enrolments(actor: User, administration: Administration | None) -> bool:
    """Admins any administration's or all; a contact point their own (the only one they name)."""
    if administration is None:
        return accounts.oversees_people.check(actor)
    return accounts.administration_people.check(actor, administration)


def can_bulk_enrol_person(actor: User, course: Course, person: User) -> bool:
    """Owners and admins enrol anyone; a contact point only their own administration's people."""
    return courses.edit.check(actor, course) or accounts.CONTACT_POINT_OF_THE_USER.allows(
        actor, person
    )


def can_be_enrolled(person: User, course: Course, run: CourseRun | None) -> bool:
    """An active person whose administration the course and the run both admit."""
    admitted = course.admits(person.administration_id) and (
        run is None or run.admits(person.administration_id)
    )
    return person.active and admitted
