"""Signing keys of the platform's credentials; certificates themselves come with enrolments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from elearn.database import Base


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
