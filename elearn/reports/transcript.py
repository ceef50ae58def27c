"""One officer's transcript: every course, its status and dates, grades and certificates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from elearn.accounts.models import User
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.certificates.service.statement import issuer
from elearn.courses.models import Course
from elearn.enrolments.models import Enrolment
from elearn.extensions import db
from elearn.reports.grades import Grades, grades_of

SHOWN_CERTIFICATES = (CertificateStatus.ISSUED, CertificateStatus.REVOKED)


@dataclass(frozen=True)
class TranscriptCertificate:
    code: str
    status: str
    issued_at: datetime | None
    verification_url: str


@dataclass(frozen=True)
class TranscriptEntry:
    course_id: int
    course_code: str
    course_title: str
    run_name: str | None
    status: str
    source: str
    progress_percent: int
    enrolled_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    grades: Grades
    certificates: list[TranscriptCertificate]


@dataclass(frozen=True)
class Transcript:
    user_id: int
    full_name: str
    administration: str | None
    language: str
    entries: list[TranscriptEntry]


def transcript(user: User, language: str) -> Transcript:
    """Every enrolment of ``user``, newest first, in three queries whatever their number."""
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.user_id == user.id)
        .options(selectinload(Enrolment.course).selectinload(Course.translations))
        .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
    ).all()
    ids = [enrolment.id for enrolment in enrolments]
    grades = grades_of(ids)
    certificates: dict[int, list[TranscriptCertificate]] = {}
    verifying = issuer()
    for certificate in db.session.scalars(
        select(Certificate)
        .where(Certificate.enrolment_id.in_(ids), Certificate.status.in_(SHOWN_CERTIFICATES))
        .order_by(Certificate.id)
    ):
        certificates.setdefault(certificate.enrolment_id, []).append(
            TranscriptCertificate(
                code=certificate.verification_code,
                status=certificate.status,
                issued_at=certificate.issued_at,
                verification_url=verifying.verification_url(certificate.verification_code),
            )
        )
    return Transcript(
        user_id=user.id,
        full_name=user.full_name,
        administration=user.administration.code if user.administration else None,
        language=language,
        entries=[
            TranscriptEntry(
                course_id=enrolment.course_id,
                course_code=enrolment.course.code,
                course_title=enrolment.course.title_in(language),
                run_name=enrolment.run.name if enrolment.run else None,
                status=enrolment.status,
                source=enrolment.source,
                progress_percent=enrolment.progress_percent,
                enrolled_at=enrolment.enrolled_at,
                due_at=enrolment.due_at,
                completed_at=enrolment.completed_at,
                grades=grades.get(enrolment.id, Grades()),
                certificates=certificates.get(enrolment.id, []),
            )
            for enrolment in enrolments
        ],
    )
