"""Admission to runs: quotas, nominations and seat requests, and who decides them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute

from elearn.accounts.models import User
from elearn.courses.models import Course
from elearn.enrolments.models import CourseRun, SeatRequest
from elearn.policy import accounts, courses
from elearn.policy.rules import (
    ADMIN,
    CONTACT_POINT,
    IN_AN_ADMINISTRATION,
    Generator,
    Rule,
    Via,
    person,
)


class SomeoneElse(Generator[Any]):
    """The person ``column`` names is not the actor (nobody decides their own request)."""

    def __init__(self, column: InstrumentedAttribute[Any]) -> None:
        self.column = column

    def allows(self, actor: User, record: Any) -> bool:
        return bool(getattr(record, self.column.key) != actor.id)

    def where(self, actor: User) -> ColumnElement[bool]:
        return self.column != actor.id


THE_REQUESTER = person(SeatRequest.user_id)
CONTACT_POINT_OF_THE_REQUESTER = Via(SeatRequest.user, accounts.CONTACT_POINT_OF_THE_USER)
EDITOR_OF_THE_COURSE = Via(SeatRequest.run, Via(CourseRun.course, courses.edit.allow))

# Owners and admins set the seats each administration may fill in a nomination run.
manage_quotas = courses.edit

# Contact points nominate for the courses their administration sees; admins for any.
nominate = Rule(
    "admission.nominate",
    Course,
    ADMIN | CONTACT_POINT & IN_AN_ADMINISTRATION & courses.visible.allow,
)

# Whom a nominator may nominate: admins anyone, a contact point their own officers.
nominee = Rule("admission.nominee", User, ADMIN | accounts.CONTACT_POINT_OF_THE_USER)

# The requester, their contact point, the course's trainers and admins.
request_visible = Rule(
    "admission.request_visible",
    SeatRequest,
    THE_REQUESTER | CONTACT_POINT_OF_THE_REQUESTER | EDITOR_OF_THE_COURSE,
)

# A request awaiting its contact point: that contact point or an admin, never the requester.
decide = Rule(
    "admission.decide",
    SeatRequest,
    (CONTACT_POINT_OF_THE_REQUESTER | ADMIN) & SomeoneElse(SeatRequest.user_id),
)

# A request the contact point approved, in a run where the trainer confirms: the trainer.
confirm = Rule(
    "admission.confirm",
    SeatRequest,
    EDITOR_OF_THE_COURSE & SomeoneElse(SeatRequest.user_id),
)

# Only the requester withdraws their request.
withdraw = Rule("admission.withdraw", SeatRequest, THE_REQUESTER)
