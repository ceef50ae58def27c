"""Admission to nomination and approval runs: quotas, nominations and seat requests.

A nomination run takes only the officers contact points nominate, at most their
administration's quota; an approval run takes officers whose request their contact point (and,
when the run says so, its trainer) approved. Both enrol through ``enrolling.admit``, so seats,
run windows and reactivation are the same as everywhere. Quotas are counted under the run lock
that ``admit`` takes too, so two contact points nominating at once never overfill a quota.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from elearn import clock, policy
from elearn.accounts.models import Administration, User
from elearn.audit import service as audit_log
from elearn.courses.models import Course
from elearn.database import insert_or_get, lock
from elearn.enrolments.models import (
    HOLDING_STATUSES,
    OPEN_REQUEST_STATUSES,
    CourseRun,
    Enrolment,
    EnrolmentSource,
    RunAdmission,
    RunQuota,
    SeatRequest,
    SeatRequestStatus,
)
from elearn.enrolments.service import enrolling
from elearn.enrolments.signals import seat_request_decided
from elearn.errors import Conflict, Forbidden, NotFound
from elearn.extensions import db
from elearn.pagination import Page, PageRequest, fetch_page


@dataclass(frozen=True)
class QuotaView:
    administration: Administration
    seats: int
    seats_taken: int


def _ensure_admission(run: CourseRun, wanted: RunAdmission) -> None:
    if run.admission != wanted:
        raise Conflict(enrolling.ADMISSION_HINTS[RunAdmission(run.admission)])


# quotas


def _seats_taken_by(run: CourseRun) -> dict[int, int]:
    rows = db.session.execute(
        select(User.administration_id, func.count())
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.run_id == run.id, Enrolment.status.in_(HOLDING_STATUSES))
        .group_by(User.administration_id)
    ).all()
    return {administration_id: count for administration_id, count in rows if administration_id}


def list_quotas(run: CourseRun) -> list[QuotaView]:
    """Each administration's quota in ``run`` with the seats its officers hold."""
    quotas = db.session.scalars(select(RunQuota).where(RunQuota.run_id == run.id)).all()
    taken = _seats_taken_by(run)
    administrations = {
        a.id: a
        for a in db.session.scalars(
            select(Administration).where(
                Administration.id.in_([quota.administration_id for quota in quotas])
            )
        )
    }
    views = [
        QuotaView(administrations[q.administration_id], q.seats, taken.get(q.administration_id, 0))
        for q in quotas
    ]
    return sorted(views, key=lambda view: view.administration.code)


def set_quota(actor: User, run: CourseRun, administration: Administration, seats: int) -> None:
    """Set the seats ``administration`` may fill in ``run`` (0 closes it to new nominations)."""
    quota = db.session.get(RunQuota, (run.id, administration.id))
    if quota is None:
        quota = RunQuota(run_id=run.id, administration_id=administration.id, seats=seats)
        db.session.add(quota)
    quota.seats = seats
    db.session.flush()
    audit_log.record(
        actor,
        "course_run.quota_set",
        "course_run",
        run.id,
        administration_id=administration.id,
        seats=seats,
    )


# nominations


def nominate(
    actor: User, course: Course, run: CourseRun, user_ids: Sequence[int]
) -> list[enrolling.Admission]:
    """Enrol the nominated officers, all or none: each one the actor may nominate, admitted to
    the course and run, and every administration within its quota."""
    _ensure_admission(run, RunAdmission.NOMINATION)
    enrolling.ensure_enrollable(course, run)
    people = _nominees(actor, course, run, user_ids)
    lock(CourseRun, run.id)
    _ensure_within_quotas(run, course, people)
    return [
        enrolling.admit(actor, nominee, course, run, EnrolmentSource.NOMINATION)
        for nominee in people
    ]


def _nominees(actor: User, course: Course, run: CourseRun, user_ids: Sequence[int]) -> list[User]:
    found = {
        user.id: user for user in db.session.scalars(select(User).where(User.id.in_(user_ids)))
    }
    people = []
    for user_id in dict.fromkeys(user_ids):
        user = found.get(user_id)
        if user is None or not policy.admission.nominee.check(actor, user):
            raise NotFound(f"No such person: {user_id}.")
        if not policy.enrolments.can_be_enrolled(user, course, run):
            raise Forbidden(f"{user.full_name} may not take this course or run.")
        people.append(user)
    return people


def _ensure_within_quotas(run: CourseRun, course: Course, people: Sequence[User]) -> None:
    enrolled = set(
        db.session.scalars(
            select(Enrolment.user_id).where(
                Enrolment.course_id == course.id,
                Enrolment.user_id.in_([p.id for p in people]),
                Enrolment.status.in_(HOLDING_STATUSES),
            )
        )
    )
    asked: dict[int, int] = {}
    for nominee in people:
        if nominee.id not in enrolled and nominee.administration_id is not None:
            asked[nominee.administration_id] = asked.get(nominee.administration_id, 0) + 1
    if not asked:
        return
    quotas = {
        quota.administration_id: quota.seats
        for quota in db.session.scalars(select(RunQuota).where(RunQuota.run_id == run.id))
    }
    taken = _seats_taken_by(run)
    for administration_id, count in asked.items():
        seats = quotas.get(administration_id, 0)
        used = taken.get(administration_id, 0)
        if used + count > seats:
            code = db.session.get(Administration, administration_id).code  # type: ignore[union-attr]
            raise Conflict(
                f"The quota of {code} in this run is {seats} seat(s): {used} taken, "
                f"{count} more nominated."
            )


# seat requests


def _by_run_and_person(run_id: int, user_id: int) -> SeatRequest | None:
    return db.session.scalar(
        select(SeatRequest).where(SeatRequest.run_id == run_id, SeatRequest.user_id == user_id)
    )


def find_request(request_id: int) -> SeatRequest:
    request = db.session.get(SeatRequest, request_id)
    if request is None:
        raise NotFound("No such seat request.")
    return request


def request_seat(actor: User, course: Course, run: CourseRun) -> tuple[SeatRequest, bool]:
    """Ask for a seat in an approval run (True: a request was opened, False: one is open)."""
    _ensure_admission(run, RunAdmission.APPROVAL)
    enrolling.ensure_enrollable(course, run)
    if not policy.enrolments.can_be_enrolled(actor, course, run):
        raise Forbidden("Your administration is not admitted to this course or run.")
    holding = enrolling.find_enrolment(actor.id, course.id)
    if holding is not None and holding.status in HOLDING_STATUSES:
        raise Conflict("You are already enrolled in this course.")
    now = clock.now()
    request = _by_run_and_person(run.id, actor.id)
    created = request is None
    if request is None:
        request, created = insert_or_get(
            SeatRequest(run_id=run.id, user_id=actor.id, requested_at=now),
            lambda: _by_run_and_person(run.id, actor.id),
        )
    if not created and request.status in OPEN_REQUEST_STATUSES:
        return request, False
    if not created:
        request.status = SeatRequestStatus.PENDING
        request.requested_at = now
        request.decided_at = request.decided_by_id = request.reason = None
        db.session.flush()
    _record(actor, request, "seat_request.opened")
    return request, True


def approve(actor: User, request: SeatRequest) -> SeatRequest:
    """The contact point's approval (forwarded to the trainer when the run asks) or the
    trainer's confirmation; a final approval enrols the officer through ``admit``."""
    _ensure_open(request)
    run = request.run
    if request.status == SeatRequestStatus.PENDING and run.trainer_confirms:
        _decide(actor, request, SeatRequestStatus.AWAITING_TRAINER, "forwarded")
        return request
    enrolling.ensure_enrollable(run.course, run)
    enrolling.admit(actor, request.user, run.course, run, EnrolmentSource.APPROVAL)
    _decide(actor, request, SeatRequestStatus.APPROVED, "approved")
    return request


def reject(actor: User, request: SeatRequest, reason: str) -> SeatRequest:
    """Refuse an open request, giving the officer the reason."""
    _ensure_open(request)
    request.reason = reason
    _decide(actor, request, SeatRequestStatus.REJECTED, "rejected")
    return request


def withdraw(actor: User, request: SeatRequest) -> SeatRequest:
    """The officer takes back a request nobody has finished deciding."""
    _ensure_open(request)
    request.status = SeatRequestStatus.WITHDRAWN
    db.session.flush()
    _record(actor, request, "seat_request.withdrawn")
    return request


def _ensure_open(request: SeatRequest) -> None:
    if request.status not in OPEN_REQUEST_STATUSES:
        raise Conflict(f"This request is {request.status}; it is no longer open.")


def _decide(actor: User, request: SeatRequest, status: SeatRequestStatus, decision: str) -> None:
    request.status = status
    request.decided_at = clock.now()
    request.decided_by_id = actor.id
    db.session.flush()
    _record(actor, request, f"seat_request.{decision}", reason=request.reason)
    seat_request_decided.send(request.id, decision=decision)


def _record(actor: User, request: SeatRequest, action: str, **details: object) -> None:
    audit_log.record(
        actor,
        action,
        "seat_request",
        request.id,
        administration_id=request.user.administration_id,
        user_id=request.user_id,
        run_id=request.run_id,
        **details,
    )


def list_requests(
    actor: User, statuses: Sequence[str], run_id: int | None, page: PageRequest
) -> Page[SeatRequest]:
    """The requests ``actor`` may see, oldest first (the queue order)."""
    statement = (
        select(SeatRequest)
        .where(policy.admission.request_visible.filter(actor), SeatRequest.status.in_(statuses))
        .order_by(SeatRequest.requested_at, SeatRequest.id)
    )
    if run_id is not None:
        statement = statement.where(SeatRequest.run_id == run_id)
    return fetch_page(statement, page)
