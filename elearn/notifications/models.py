"""Notifications: one row per mail the platform owes someone, written before it is sent."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn import clock
from elearn.accounts.models import User
from elearn.database import Base
from elearn.enrolments.models import Enrolment


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"
    # A reminder no longer true (its due date moved) before it was sent.
    CANCELLED = "cancelled"


class Notification(Base):
    """A mail of one ``kind`` to one user. ``context`` holds ids and plain values, never a
    secret: one-time links are made when the mail is rendered, inside the sending task."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_status_next_try_at", "status", "next_try_at"),
        Index("ix_notifications_created_at_id", "created_at", "id"),
        Index("ix_notifications_enrolment_id_status", "enrolment_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # The enrolment a reminder is about, so a due date change can cancel what is pending.
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE")
    )
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    language: Mapped[str] = mapped_column(String(2))
    context: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20), default=NotificationStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    next_try_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    user: Mapped[User] = relationship()
    enrolment: Mapped[Enrolment | None] = relationship()
    # What the recipient chose; None: the defaults (read with the notification when it is sent).
    recipient_preferences: Mapped[NotificationPreference | None] = relationship(
        primaryjoin="Notification.user_id == foreign(NotificationPreference.user_id)",
        viewonly=True,
    )


class NotificationPreference(Base):
    """What one person wants to receive; no row means the defaults. Transactional mail
    (set-password, enrolled, certificates) has no switch here."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    reminders: Mapped[bool] = mapped_column(default=True)
    digests: Mapped[bool] = mapped_column(default=True)
    # Contact points: the weekly digest's day (0 Monday … 6 Sunday) and hour, local time.
    digest_weekday: Mapped[int] = mapped_column(default=0)
    digest_hour: Mapped[int] = mapped_column(default=8)
    # Contact points: a copy of each overdue mail (True), or overdue officers in the digest only.
    overdue_copies: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
