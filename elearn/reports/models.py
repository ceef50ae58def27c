"""Rows of the reports domain: transcript PDFs rendered in the background."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.accounts.models import User
from elearn.database import Base, Timestamped


class DocumentStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class TranscriptDocument(Timestamped, Base):
    """One requested PDF of an officer's transcript, in the officer's language, as of when it
    was rendered; the row is written with its task in the outbox, so no request is lost."""

    __tablename__ = "transcript_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(20), default=DocumentStatus.PENDING)
    object_key: Mapped[str] = mapped_column(String(200))
    pdf_size: Mapped[int | None]
    rendered_at: Mapped[datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
