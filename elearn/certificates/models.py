"""Certificates, the background jobs over many of them, and the keys that sign credentials."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.accounts.models import Administration
from elearn.courses.models import Course
from elearn.database import Base, Timestamped
from elearn.enrolments.models import Enrolment


class SigningKey(Base):
    """An Ed25519 key pair; the private half is sealed with a key derived from the secret key.

    Exactly one key is active (it signs new credentials). Retired keys sign nothing more but stay
    published, so every credential they signed still verifies.
    """

    __tablename__ = "signing_keys"
    __table_args__ = (
        CheckConstraint("active = (retired_at IS NULL)", name="active_until_retired"),
        Index(
            "uq_signing_keys_one_active",
            "active",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    public_jwk: Mapped[dict[str, Any]]
    sealed_private_key: Mapped[str] = mapped_column(Text)
    active: Mapped[bool]
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]


class CertificateStatus(StrEnum):
    PENDING = "pending"
    ISSUED = "issued"
    FAILED = "failed"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


_CURRENT = text("status != 'superseded'")


class Certificate(Timestamped, Base):
    """A certificate of completion and a snapshot of everything it states.

    An enrolment has at most one current certificate (any status but superseded): a reissue
    supersedes the old row and adds a new one with a new code, public id and PDF. ``pdf_key`` is
    fixed when the row is made, so rendering it again overwrites the same object.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        Index(
            "uq_certificates_current_enrolment",
            "enrolment_id",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(22), unique=True)
    verification_code: Mapped[str] = mapped_column(String(14), unique=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=CertificateStatus.PENDING)
    language: Mapped[str] = mapped_column(String(2))
    holder_name: Mapped[str] = mapped_column(String(200))
    administration_name: Mapped[str | None] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(200))
    completed_on: Mapped[date]
    duration_minutes: Mapped[int]
    pdf_key: Mapped[str] = mapped_column(String(200))
    pdf_size: Mapped[int | None]
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    credential: Mapped[str | None] = mapped_column(Text)
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    issued_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str | None] = mapped_column(String(500))
    superseded_at: Mapped[datetime | None]

    enrolment: Mapped[Enrolment] = relationship()
    replaces: Mapped[Certificate | None] = relationship(remote_side=[id])


class JobKind(StrEnum):
    EXPORT = "export"
    RERENDER = "rerender"


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"


class CertificateJob(Timestamped, Base):
    """Background work over a course's certificates: a zip export, or rendering them again.

    An export covers one administration and writes one zip under ``object_key``. A re-render
    walks the certificates up to ``last_certificate_id`` in chunks, ``cursor`` being the last
    id handled, and counts what it did.
    """

    __tablename__ = "certificate_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    administration_id: Mapped[int | None] = mapped_column(
        ForeignKey("administrations.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.PENDING)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    cursor: Mapped[int] = mapped_column(default=0)
    last_certificate_id: Mapped[int] = mapped_column(default=0)
    object_key: Mapped[str | None] = mapped_column(String(200))
    object_size: Mapped[int | None]
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    finished_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship()
    administration: Mapped[Administration | None] = relationship()
