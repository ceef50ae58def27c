"""A media asset: one uploaded file of a course, from its presigned upload to its verdict."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn import clock
from elearn.courses.models import Course
from elearn.database import Base
from elearn.filetypes import MediaKind

__all__ = ["MediaAsset", "MediaKind", "MediaStatus"]


class MediaStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    REJECTED = "rejected"


class MediaAsset(Base):
    """``storage_key`` is random (``new_object_key``); ``filename`` only names downloads."""

    __tablename__ = "media_assets"
    # The stale-upload sweeper looks for old pending and rejected rows.
    __table_args__ = (Index("ix_media_assets_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    declared_size: Mapped[int] = mapped_column(BigInteger)
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default=MediaStatus.PENDING)
    rejection: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    completed_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship()
