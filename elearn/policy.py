"""Who may do what. Every endpoint asks one of these functions; nothing decides ad hoc.

Decisions return booleans; ``authorize`` turns a refusal into 403, or into 404 where revealing
that the object exists would leak (another administration's people).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, false, or_, true

from elearn.accounts.models import Role, User
from elearn.courses.models import Course, CourseStatus
from elearn.enrolments.models import CourseRun, Enrolment
from elearn.errors import Forbidden, NotFound

CONTACT_POINT_GRANTABLE_ROLES = frozenset({Role.TRAINEE})
CONTACT_POINT_EDITABLE_FIELDS = frozenset(
    {"full_name", "language", "active", "personnel_number", "unit"}
)


def authorize(allowed: bool, *, hide: bool = False, what: str = "resource") -> None:
    """Raise Forbidden (or NotFound when ``hide``) unless ``allowed``."""
    if allowed:
        return
    if hide:
        raise NotFound(f"No such {what}.")
    raise Forbidden("You are not allowed to do this.")


def is_admin(actor: User) -> bool:
    return actor.has_role(Role.ADMIN)


def is_contact_point_of(actor: User, administration_id: int | None) -> bool:
    return (
        actor.has_role(Role.CONTACT_POINT)
        and actor.administration_id is not None
        and actor.administration_id == administration_id
    )


# administrations


def can_manage_administrations(actor: User) -> bool:
    return is_admin(actor)


# people


def can_list_users(actor: User) -> bool:
    return is_admin(actor) or actor.has_role(Role.CONTACT_POINT)


def visible_users_clause(actor: User) -> ColumnElement[bool]:
    """SQL condition selecting the users ``actor`` may see in lists."""
    if is_admin(actor):
        return true()
    if actor.has_role(Role.CONTACT_POINT) and actor.administration_id is not None:
        return User.administration_id == actor.administration_id
    return false()


def can_view_user(actor: User, user: User) -> bool:
    return (
        actor.id == user.id or is_admin(actor) or is_contact_point_of(actor, user.administration_id)
    )


def can_create_user(actor: User, administration_id: int | None, roles: Iterable[Role]) -> bool:
    if is_admin(actor):
        return True
    return is_contact_point_of(actor, administration_id) and set(roles) <= set(
        CONTACT_POINT_GRANTABLE_ROLES
    )


def can_edit_user(actor: User, user: User, fields: Iterable[str]) -> bool:
    """Admins edit anyone; a contact point edits name, language, active, personnel number and
    unit of own trainees."""
    if is_admin(actor):
        return True
    return (
        is_contact_point_of(actor, user.administration_id)
        and user.roles <= CONTACT_POINT_GRANTABLE_ROLES
        and set(fields) <= CONTACT_POINT_EDITABLE_FIELDS
    )


# audit


def can_list_audit_events(actor: User) -> bool:
    return is_admin(actor)


# courses


def can_create_courses(actor: User) -> bool:
    return actor.has_role(Role.TRAINER) or is_admin(actor)


def can_edit_course(actor: User, course: Course) -> bool:
    """Admins edit any course; trainers the courses they own or co-own."""
    if is_admin(actor):
        return True
    return actor.has_role(Role.TRAINER) and actor.id in course.owner_ids


def can_own_courses(user: User) -> bool:
    return user.active and user.has_role(Role.TRAINER)


def can_view_course(actor: User, course: Course) -> bool:
    """Editors see every state; others a published course open to their administration."""
    if can_edit_course(actor, course):
        return True
    if course.status != CourseStatus.PUBLISHED:
        return False
    restricted_to = course.administration_ids
    return not restricted_to or actor.administration_id in restricted_to


def catalogue_scope(actor: User) -> tuple[object, ...]:
    """Everything about ``actor`` that visible_courses_clause depends on (a cache key part)."""
    if is_admin(actor):
        return ("admin",)
    if actor.has_role(Role.TRAINER):
        return ("trainer", actor.id, actor.administration_id)
    return ("member", actor.administration_id)


def visible_courses_clause(actor: User) -> ColumnElement[bool]:
    """SQL condition selecting the courses ``actor`` may see (the same rule as can_view_course)."""
    if is_admin(actor):
        return true()
    open_to_actor = ~Course.administration_links.any()
    if actor.administration_id is not None:
        open_to_actor = or_(
            open_to_actor,
            Course.administration_links.any(administration_id=actor.administration_id),
        )
    published = and_(Course.status == CourseStatus.PUBLISHED, open_to_actor)
    if actor.has_role(Role.TRAINER):
        return or_(published, Course.owner_links.any(user_id=actor.id))
    return published


# course runs and enrolments


def can_manage_runs(actor: User, course: Course) -> bool:
    """Course owners and admins create and edit runs; everyone who sees the course lists them."""
    return can_edit_course(actor, course)


def run_admits(run: CourseRun, administration_id: int | None) -> bool:
    """A run without a restriction admits everyone; otherwise only the listed administrations."""
    restricted_to = run.administration_ids
    return not restricted_to or administration_id in restricted_to


def can_view_run(actor: User, course: Course, run: CourseRun) -> bool:
    """Editors see every run; others the runs of a visible course that admit them."""
    if not can_view_course(actor, course):
        return False
    return can_edit_course(actor, course) or run_admits(run, actor.administration_id)


def visible_runs_clause(actor: User, course: Course) -> ColumnElement[bool]:
    """SQL condition selecting the runs of ``course`` that ``actor`` may see (can_view_run)."""
    if can_edit_course(actor, course):
        return true()
    open_to_actor = ~CourseRun.administration_links.any()
    if actor.administration_id is None:
        return open_to_actor
    return or_(
        open_to_actor,
        CourseRun.administration_links.any(administration_id=actor.administration_id),
    )


def can_self_enrol(actor: User, course: Course) -> bool:
    """Anyone who sees a course may ask to enrol; admission rules then decide."""
    return can_view_course(actor, course)


def can_bulk_enrol(actor: User, course: Course) -> bool:
    """Course owners and admins; contact points for the courses their administration sees."""
    if can_edit_course(actor, course):
        return True
    return (
        actor.has_role(Role.CONTACT_POINT)
        and actor.administration_id is not None
        and can_view_course(actor, course)
    )


def can_bulk_enrol_person(actor: User, course: Course, person: User) -> bool:
    """Owners and admins enrol anyone; a contact point only their own administration's people."""
    return can_edit_course(actor, course) or is_contact_point_of(actor, person.administration_id)


def can_view_enrolment(actor: User, enrolment: Enrolment) -> bool:
    """The trainee, their contact point, the course's trainers and admins."""
    return (
        actor.id == enrolment.user_id
        or is_contact_point_of(actor, enrolment.user.administration_id)
        or can_edit_course(actor, enrolment.course)
    )


def can_withdraw_enrolment(actor: User, enrolment: Enrolment) -> bool:
    return can_view_enrolment(actor, enrolment)


def can_change_due_date(actor: User, enrolment: Enrolment) -> bool:
    """The course's trainers, the trainee's contact point and admins (not the trainee)."""
    return is_contact_point_of(actor, enrolment.user.administration_id) or can_edit_course(
        actor, enrolment.course
    )


def can_record_progress(actor: User, enrolment: Enrolment) -> bool:
    """Only the enrolled trainee records their own progress."""
    return actor.id == enrolment.user_id


def can_list_course_enrolments(actor: User, course: Course) -> bool:
    """Course owners and admins (every row); contact points (their administration's rows)."""
    return can_edit_course(actor, course) or (
        actor.has_role(Role.CONTACT_POINT) and actor.administration_id is not None
    )


def can_list_enrolments(actor: User, administration_id: int | None) -> bool:
    """Admins any administration; a contact point only their own (the only one they name)."""
    if is_admin(actor):
        return True
    if administration_id is None:
        return actor.has_role(Role.CONTACT_POINT) and actor.administration_id is not None
    return is_contact_point_of(actor, administration_id)


def visible_enrolments_clause(actor: User) -> ColumnElement[bool]:
    """SQL condition selecting the enrolments ``actor`` may see in lists (can_view_enrolment)."""
    if is_admin(actor):
        return true()
    visible = [Enrolment.user_id == actor.id]
    if actor.has_role(Role.CONTACT_POINT) and actor.administration_id is not None:
        visible.append(Enrolment.user.has(User.administration_id == actor.administration_id))
    if actor.has_role(Role.TRAINER):
        visible.append(Enrolment.course.has(Course.owner_links.any(user_id=actor.id)))
    return or_(*visible)


def can_be_enrolled(person: User, course: Course, run: CourseRun | None) -> bool:
    """An active person whose administration the course and the run both admit."""
    restricted_to = course.administration_ids
    if restricted_to and person.administration_id not in restricted_to:
        return False
    return person.active and (run is None or run_admits(run, person.administration_id))


# media


def can_manage_media(actor: User, course: Course) -> bool:
    """Uploading, completing, listing and attaching a course's media: its editors."""
    return can_edit_course(actor, course)


def can_download_media(actor: User, course: Course, *, used_in_a_lesson: bool) -> bool:
    """Editors fetch any of their course's media; others what a lesson they can see shows."""
    return can_edit_course(actor, course) or (used_in_a_lesson and can_view_course(actor, course))


# quizzes


def can_edit_quiz(actor: User, course: Course) -> bool:
    """Questions with their answer keys, settings and statistics: the course's editors."""
    return can_edit_course(actor, course)


def can_take_quiz(actor: User, course: Course) -> bool:
    """Whoever may see the course; the enrolments domain then requires an enrolment."""
    return can_view_course(actor, course)


def can_view_attempt(actor: User, trainee: User, course: Course) -> bool:
    """The trainee, the course's editors and the contact point of the trainee's administration."""
    return (
        actor.id == trainee.id
        or can_edit_course(actor, course)
        or is_contact_point_of(actor, trainee.administration_id)
    )


def can_see_attempt_answers(actor: User, trainee_id: int, course: Course) -> bool:
    """Correct answers in an attempt's review: its trainee (when the review policy allows) and
    the course's editors. A contact point sees the score only: they may be a trainee too."""
    return actor.id == trainee_id or can_edit_quiz(actor, course)


def can_answer_attempt(actor: User, trainee_id: int) -> bool:
    """Only the trainee answers and submits their own attempt."""
    return actor.id == trainee_id


# certificates


def can_view_certificate(actor: User, enrolment: Enrolment) -> bool:
    """The holder, their contact point, the course's trainers and admins: as for the enrolment."""
    return can_view_enrolment(actor, enrolment)


def can_manage_certificates(actor: User) -> bool:
    """Revoke, reissue, retry and re-render certificates: admins."""
    return is_admin(actor)


def can_export_certificates(actor: User) -> bool:
    """Contact points (for their administration) and admins (for any) export certificates."""
    return is_admin(actor) or (
        actor.has_role(Role.CONTACT_POINT) and actor.administration_id is not None
    )


def can_export_course_certificates(actor: User, course: Course) -> bool:
    """Admins any course; contact points the courses open to their administration, archived
    ones included (their people's certificates outlive the course), drafts never."""
    if is_admin(actor):
        return True
    if course.status == CourseStatus.DRAFT:
        return False
    restricted_to = course.administration_ids
    return not restricted_to or actor.administration_id in restricted_to


def can_export_administration_certificates(actor: User, administration_id: int | None) -> bool:
    return is_admin(actor) or is_contact_point_of(actor, administration_id)


# reports


def can_read_administration_reports(actor: User, administration_id: int) -> bool:
    """Admins any administration; a contact point only their own."""
    return is_admin(actor) or is_contact_point_of(actor, administration_id)
