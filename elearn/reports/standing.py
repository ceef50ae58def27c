"""An enrolment's standing in SQL: flags, course title, quiz grades, certificate.

Each rule is written once, as an expression over ``Enrolment``, and used wherever a report
shows, counts, filters or exports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from elearn import clock
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.config import current_settings
from elearn.courses.models import Course, CourseTranslation, QuizDefinition
from elearn.database import UTCDateTime
from elearn.enrolments.models import Enrolment, EnrolmentStatus, LessonProgress
from elearn.quizzes.models import FINISHED_STATUSES, Attempt

# Rows read per round trip when a report is exported (a server-side cursor on PostgreSQL).
EXPORT_BATCH = 1000


class Flag(StrEnum):
    OVERDUE = "overdue"
    IDLE = "idle"
    FAILED_FINAL_ATTEMPT = "failed_final_attempt"


@dataclass(frozen=True)
class Moment:
    """The times the time-dependent rules compare with: now, and the start of the idle window.

    Either values (``moment()``) or the bound parameters ``now`` and ``idle_since`` of a
    statement built once per process (``PARAMETERS``, given ``moment_values()`` to run)."""

    now: datetime | ColumnElement[datetime]
    idle_since: datetime | ColumnElement[datetime]


PARAMETERS = Moment(
    now=bindparam("now", type_=UTCDateTime), idle_since=bindparam("idle_since", type_=UTCDateTime)
)


def moment_values() -> dict[str, datetime]:
    now = clock.now()
    return {"now": now, "idle_since": now - timedelta(days=current_settings().report_idle_days)}


def moment() -> Moment:
    return Moment(**moment_values())


def is_overdue(at: Moment) -> ColumnElement[bool]:
    """Active past its due date (the hourly sweeper has not expired it yet), or expired."""
    return or_(Enrolment.status == EnrolmentStatus.EXPIRED, is_late(at))


def is_late(at: Moment) -> ColumnElement[bool]:
    """Active past its due date."""
    return and_(Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.due_at < at.now)


def is_idle(at: Moment) -> ColumnElement[bool]:
    """Active, with no lesson done (or never started) for ``ELEARN_REPORT_IDLE_DAYS``."""
    return and_(
        Enrolment.status == EnrolmentStatus.ACTIVE,
        func.coalesce(Enrolment.last_activity_at, Enrolment.enrolled_at) < at.idle_since,
    )


def _max_attempts() -> ColumnElement[Any]:
    return QuizDefinition.definition[("settings", "max_attempts")].as_integer()


def failed_final_attempt() -> ColumnElement[bool]:
    """Not completed, and some quiz of the course has all its attempts used without a pass."""
    passed = exists().where(
        LessonProgress.enrolment_id == Attempt.enrolment_id,
        LessonProgress.lesson_id == Attempt.lesson_id,
    )
    exhausted = (
        select(Attempt.lesson_id)
        .join(QuizDefinition, QuizDefinition.lesson_id == Attempt.lesson_id)
        .where(
            Attempt.enrolment_id == Enrolment.id,
            Attempt.status.in_(FINISHED_STATUSES),
            ~passed,
        )
        .group_by(Attempt.lesson_id)
        # One definition per lesson: max() only names its limit in an aggregate.
        .having(func.count(Attempt.id) >= func.max(_max_attempts()))
    )
    return and_(Enrolment.status != EnrolmentStatus.COMPLETED, exhausted.exists())


def flag_rules(at: Moment) -> dict[Flag, ColumnElement[bool]]:
    """Each flag's rule, in ``Flag``'s order."""
    return {
        Flag.OVERDUE: is_overdue(at),
        Flag.IDLE: is_idle(at),
        Flag.FAILED_FINAL_ATTEMPT: failed_final_attempt(),
    }


def course_titles(
    language: str | ColumnElement[str],
) -> tuple[ColumnElement[Any], Callable[[Select[Any]], Select[Any]]]:
    """The course title in ``language``, else in the course's default language, else its slug;
    and what adds the two translations it reads to a statement that selects from ``Course``
    (outer joins: one hash join per statement, not a subquery per row)."""
    wanted, default = aliased(CourseTranslation), aliased(CourseTranslation)

    def joined(statement: Select[Any]) -> Select[Any]:
        return statement.outerjoin(
            wanted, and_(wanted.course_id == Course.id, wanted.lang == language)
        ).outerjoin(
            default,
            and_(default.course_id == Course.id, default.lang == Course.default_language),
        )

    return func.coalesce(wanted.title, default.title, Course.slug), joined


def quiz_grades(*conditions: ColumnElement[bool]) -> Subquery:
    """Per enrolment (those ``conditions`` on its attempts select), over all its quizzes'
    finished attempts: ``best`` and ``last`` grade and attempts ``used``."""
    finished = (
        select(
            Attempt.enrolment_id,
            Attempt.score,
            func.max(Attempt.score).over(partition_by=Attempt.enrolment_id).label("best"),
            func.count(Attempt.id).over(partition_by=Attempt.enrolment_id).label("used"),
            func.row_number()
            .over(
                partition_by=Attempt.enrolment_id,
                order_by=(Attempt.submitted_at.desc(), Attempt.id.desc()),
            )
            .label("latest"),
        )
        .where(Attempt.status.in_(FINISHED_STATUSES), *conditions)
        .subquery()
    )
    return (
        select(
            finished.c.enrolment_id,
            finished.c.best,
            finished.c.score.label("last"),
            finished.c.used,
        )
        .where(finished.c.latest == 1)
        .subquery("grades")
    )


def certificate_code() -> ColumnElement[Any]:
    """The verification code of the enrolment's issued (not revoked) certificate, if any: one
    probe of the certificates' enrolment index per row."""
    return (
        select(Certificate.verification_code)
        .where(
            Certificate.enrolment_id == Enrolment.id,
            Certificate.status == CertificateStatus.ISSUED,
        )
        .scalar_subquery()
        .label("certificate_code")
    )
