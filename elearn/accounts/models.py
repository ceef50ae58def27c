"""Administrations, users with their roles, and personal access tokens."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from elearn.database import Base, Timestamped

DEFAULT_TIME_ZONE = "UTC"


class Role(StrEnum):
    TRAINEE = "trainee"
    TRAINER = "trainer"
    CONTACT_POINT = "contact_point"
    ADMIN = "admin"


class Administration(Timestamped, Base):
    """A member customs administration, identified by its ISO 3166-1 alpha-2 code."""

    __tablename__ = "administrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)
    names: Mapped[dict[str, Any]]
    region: Mapped[str] = mapped_column(String(80))
    time_zone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIME_ZONE)
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, language: str) -> str:
        return str(self.names.get(language) or self.names["en"])


class AdministrationLink:
    """One row of a restriction: the record it belongs to admits this administration's officers.

    Courses and course runs keep their restrictions in tables of this one shape; the link class
    adds the foreign key to its record as the other half of the primary key.
    """

    administration_id: Mapped[int] = mapped_column(
        ForeignKey("administrations.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    @declared_attr
    def administration(cls) -> Mapped[Administration]:
        return relationship(Administration, lazy="joined", innerjoin=True)


class AdministrationRestricted:
    """A record open to the officers of the listed administrations, or to all when none is
    listed; the check for one record and the SQL condition for a list live side by side."""

    administration_link: ClassVar[type[AdministrationLink]]

    @declared_attr
    def administration_links(cls) -> Mapped[list[AdministrationLink]]:
        return relationship(
            cls.administration_link,
            cascade="all, delete-orphan",
            passive_deletes=True,
            lazy="selectin",
        )

    @property
    def administration_ids(self) -> frozenset[int]:
        return frozenset(link.administration_id for link in self.administration_links)

    @property
    def administration_codes(self) -> list[str]:
        return sorted(link.administration.code for link in self.administration_links)

    def admits(self, administration_id: int | None) -> bool:
        restricted_to = self.administration_ids
        return not restricted_to or administration_id in restricted_to

    @classmethod
    def admits_clause(cls, administration_id: int | None) -> ColumnElement[bool]:
        """SQL twin of ``admits``: no restriction, or one that lists ``administration_id``."""
        links: Any = cls.administration_links
        unrestricted: ColumnElement[bool] = ~links.any()
        if administration_id is None:
            return unrestricted
        return unrestricted | links.any(administration_id=administration_id)

    def restrict_to(self, administrations: Iterable[Administration]) -> None:
        """Admit exactly ``administrations`` (none: everyone), keeping the links that stay."""
        wanted = {administration.id: administration for administration in administrations}
        kept = [link for link in self.administration_links if link.administration_id in wanted]
        present = {link.administration_id for link in kept}
        added = [
            self.administration_link(administration=administration)  # type: ignore[call-arg]
            for administration_id, administration in wanted.items()
            if administration_id not in present
        ]
        self.administration_links = kept + added


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class User(Timestamped, Base):
    __tablename__ = "users"
    # NULLs are distinct: officers without a personnel number never collide.
    __table_args__ = (
        UniqueConstraint("administration_id", "personnel_number"),
        # Also the administration's own index; the per-officer report pages through it by name.
        Index("ix_users_administration_id_full_name_id", "administration_id", "full_name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2), default="en")
    # None: the administration's time zone (see ``local_time_zone``).
    time_zone: Mapped[str | None] = mapped_column(String(64))
    administration_id: Mapped[int | None] = mapped_column(ForeignKey("administrations.id"))
    personnel_number: Mapped[str | None] = mapped_column(String(40))
    unit: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None]

    administration: Mapped[Administration | None] = relationship(lazy="joined")
    role_links: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(link.role) for link in self.role_links)

    @roles.setter
    def roles(self, roles: frozenset[Role]) -> None:
        kept = [link for link in self.role_links if link.role in roles]
        present = {link.role for link in kept}
        added = [UserRole(role=role.value) for role in sorted(roles) if role not in present]
        self.role_links = kept + added

    @property
    def local_time_zone(self) -> str:
        """The IANA zone mail and dates are shown in: one's own, else the administration's."""
        if self.time_zone:
            return self.time_zone
        return self.administration.time_zone if self.administration else DEFAULT_TIME_ZONE

    def has_role(self, role: Role) -> bool:
        return any(link.role == role for link in self.role_links)

    # flask-login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """Session identity; bumping ``session_version`` logs out every session."""
        return f"{self.id}:{self.session_version}"


class ApiToken(Base):
    """A personal access token; only the SHA-256 of its secret is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class AdministrationHeadcount(Base):
    """How many trainees an administration has, and how many of them are active: kept current
    in the transaction of every change to a user, so reports never count the officers."""

    __tablename__ = "administration_headcounts"

    administration_id: Mapped[int] = mapped_column(
        ForeignKey("administrations.id", ondelete="CASCADE"), primary_key=True
    )
    trainees: Mapped[int] = mapped_column(default=0)
    active_trainees: Mapped[int] = mapped_column(default=0)
