"""Bulk enrolment by contact points and trainers: by user ids, emails or a CSV of emails.

The whole call is one transaction and every row gets an outcome. A contact point cannot tell
another administration's people from unknown addresses: both are ``unknown_person``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select

from elearn import policy
from elearn.accounts.models import User
from elearn.audit import service as audit_log
from elearn.courses.models import Course
from elearn.csv_upload import read_table
from elearn.database import lock
from elearn.enrolments.models import HOLDING_STATUSES, CourseRun, Enrolment, EnrolmentSource
from elearn.enrolments.service import enrolling
from elearn.extensions import db


class Outcome(StrEnum):
    ENROLLED = "enrolled"
    ALREADY_ENROLLED = "already_enrolled"
    UNKNOWN_PERSON = "unknown_person"
    NOT_ALLOWED = "not_allowed"
    RUN_FULL = "run_full"


@dataclass(frozen=True)
class People:
    """Whom to enrol: user ids or email addresses, in the order given."""

    user_ids: Sequence[int] = ()
    emails: Sequence[str] = ()


@dataclass
class RowResult:
    row: int
    outcome: Outcome
    user_id: int | None = None
    email: str | None = None
    enrolment_id: int | None = None


@dataclass(frozen=True)
class BulkResult:
    course_id: int
    run_id: int | None
    rows: list[RowResult]
    counts: dict[str, int] = field(default_factory=dict)


def read_email_csv(data: bytes, max_rows: int) -> list[str]:
    """The ``email`` column of an uploaded CSV (see ``elearn.csv_upload``)."""
    table = read_table(data, required=("email",), max_rows=max_rows)
    return [cells["email"] for _line, cells in table]


def bulk_enrol(actor: User, course: Course, run_id: int | None, people: People) -> BulkResult:
    """Enrol many people at once; each row says what happened to it, in the order given."""
    run = enrolling.choose_run(course, run_id)
    enrolling.ensure_enrollable(course, run)
    enrolling.ensure_open_admission(run)
    persons = _find_people(people)
    if run is not None:
        lock(CourseRun, run.id)
    enrolments = _existing_enrolments(course, [person.id for person in persons if person])
    seats = enrolling.seats_left(run) if run is not None else None
    results: list[RowResult] = []
    first_rows: dict[int, RowResult] = {}
    fresh: list[Enrolment] = []
    for number, (person, (user_id, email)) in enumerate(
        zip(persons, _labels(people), strict=True), 1
    ):
        result = RowResult(number, Outcome.UNKNOWN_PERSON, user_id=user_id, email=email)
        results.append(result)
        if person is None or not policy.enrolments.can_bulk_enrol_person(actor, course, person):
            continue
        result.user_id = person.id
        enrolment = enrolments.get(person.id)
        if person.id in first_rows:
            result.outcome = _repeated(first_rows[person.id].outcome)
        elif not policy.enrolments.can_be_enrolled(person, course, run):
            result.outcome = Outcome.NOT_ALLOWED
        elif enrolment is not None and enrolment.status in HOLDING_STATUSES:
            result.outcome = Outcome.ALREADY_ENROLLED
        elif seats == 0:
            result.outcome = Outcome.RUN_FULL
        else:
            seats = seats - 1 if seats is not None else None
            result.outcome = Outcome.ENROLLED
            if enrolment is not None:
                enrolling.reactivate(actor, enrolment, course, run, EnrolmentSource.BULK)
            else:
                enrolments[person.id] = enrolling.new_enrolment(
                    person, course, run, EnrolmentSource.BULK
                )
                fresh.append(enrolments[person.id])
        first_rows.setdefault(person.id, result)
    raced = _insert(actor, course, fresh, enrolments)
    for result in results:
        if result.user_id in raced:
            result.outcome = _repeated(result.outcome)
        if result.outcome in (Outcome.ENROLLED, Outcome.ALREADY_ENROLLED):
            result.enrolment_id = enrolments[result.user_id or 0].id
    return _summarised(actor, course, run, results)


def _repeated(outcome: Outcome) -> Outcome:
    """A person named again (or enrolled meanwhile by someone else) is already enrolled."""
    return Outcome.ALREADY_ENROLLED if outcome is Outcome.ENROLLED else outcome


def _insert(
    actor: User, course: Course, fresh: list[Enrolment], enrolments: dict[int, Enrolment]
) -> set[int]:
    """Insert ``fresh``; the people someone else enrolled meanwhile get that enrolment."""
    raced = set()
    for enrolment, created in enrolling.insert_enrolments(actor, fresh):
        if not created:
            enrolments[enrolment.user_id] = enrolment
            raced.add(enrolment.user_id)
    return raced


def _find_people(people: People) -> list[User | None]:
    if people.user_ids:
        found = db.session.scalars(select(User).where(User.id.in_(set(people.user_ids))))
        by_id = {user.id: user for user in found}
        return [by_id.get(user_id) for user_id in people.user_ids]
    wanted = [email.strip().lower() for email in people.emails]
    found = db.session.scalars(select(User).where(User.email.in_(set(wanted))))
    by_email = {user.email: user for user in found}
    return [by_email.get(email) for email in wanted]


def _labels(people: People) -> list[tuple[int | None, str | None]]:
    """How each row names its person: (user id, None) or (None, email as given)."""
    if people.user_ids:
        return [(user_id, None) for user_id in people.user_ids]
    return [(None, email) for email in people.emails]


def _existing_enrolments(course: Course, user_ids: list[int]) -> dict[int, Enrolment]:
    if not user_ids:
        return {}
    found = db.session.scalars(
        select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.user_id.in_(user_ids))
    )
    return {enrolment.user_id: enrolment for enrolment in found}


def _summarised(
    actor: User, course: Course, run: CourseRun | None, results: list[RowResult]
) -> BulkResult:
    counts = {outcome.value: 0 for outcome in Outcome}
    for result in results:
        counts[result.outcome.value] += 1
    audit_log.record(
        actor,
        "enrolment.bulk",
        "course",
        course.id,
        administration_id=actor.administration_id,
        run_id=run.id if run is not None else None,
        **counts,
    )
    db.session.flush()
    return BulkResult(course.id, run.id if run is not None else None, results, counts)
