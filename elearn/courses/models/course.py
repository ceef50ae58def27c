"""A course, its per-language texts, owners, topics and administration restriction."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.accounts.models import AdministrationLink, AdministrationRestricted, User
from elearn.courses.rules import IDLE_AFTER_DAYS_DEFAULT, REMINDER_OFFSETS_DEFAULT
from elearn.database import Base, Timestamped

if TYPE_CHECKING:
    from elearn.courses.models.outline import Module


class CourseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class LessonRule(StrEnum):
    """Which lessons a trainee must complete: those marked required, or all of them."""

    REQUIRED = "required"
    ALL = "all"


class QuizRule(StrEnum):
    """Which quizzes a trainee must pass: the required quiz lessons, or none."""

    REQUIRED = "required"
    NONE = "none"


def ordered_languages(default: str, languages: Iterable[str]) -> list[str]:
    """A course's languages as shown everywhere: the default first, then alphabetical."""
    return [default, *sorted(set(languages) - {default})]


class CourseOwner(Base):
    """A trainer who may edit the course."""

    __tablename__ = "course_owners"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    user: Mapped[User] = relationship()


class CourseAdministration(AdministrationLink, Base):
    """Restricts a course to the officers of the listed administrations (none listed: all)."""

    __tablename__ = "course_administrations"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )


class CourseTopic(Base):
    __tablename__ = "course_topics"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)


class CourseTranslation(Base):
    """A course's texts in one language; ``search_text`` and ``sort_title`` follow them."""

    __tablename__ = "course_translations"
    __table_args__ = (UniqueConstraint("course_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[list[Any]] = mapped_column(default=list)
    # Case-folded in Python because SQLite's lower() only folds ASCII (Cyrillic would not match).
    search_text: Mapped[str] = mapped_column(Text, default="")
    sort_title: Mapped[str] = mapped_column(String(200), default="")


@event.listens_for(CourseTranslation, "before_insert")
@event.listens_for(CourseTranslation, "before_update")
def _fold_texts(_mapper: Any, _connection: Any, translation: CourseTranslation) -> None:
    translation.search_text = f"{translation.title}\n{translation.summary or ''}".casefold()
    translation.sort_title = translation.title.casefold()[:200]


def new_card_version() -> int:
    return secrets.randbelow(2**31 - 1) + 1


class Course(AdministrationRestricted, Timestamped, Base):
    __tablename__ = "courses"
    administration_link = CourseAdministration

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    code: Mapped[str] = mapped_column(String(40))
    default_language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(20), default=CourseStatus.DRAFT, index=True)
    estimated_minutes: Mapped[int] = mapped_column(default=0)
    pass_mark: Mapped[int] = mapped_column(default=70)
    completion_lessons: Mapped[str] = mapped_column(String(20), default=LessonRule.REQUIRED)
    completion_quizzes: Mapped[str] = mapped_column(String(20), default=QuizRule.REQUIRED)
    due_days: Mapped[int | None]
    reminder_offsets_days: Mapped[list[Any]] = mapped_column(
        default=lambda: list(REMINDER_OFFSETS_DEFAULT)
    )
    idle_after_days: Mapped[int] = mapped_column(default=IDLE_AFTER_DAYS_DEFAULT)
    published_at: Mapped[datetime | None]
    # Changes (to a new random value) with anything the catalogue shows or filters on; the
    # catalogue cache compares the sum over all courses (see catalogue_cache).
    card_version: Mapped[int] = mapped_column(default=new_card_version)

    translations: Mapped[list[CourseTranslation]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by=CourseTranslation.lang,
    )
    owner_links: Mapped[list[CourseOwner]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by=CourseOwner.user_id,
    )
    topic_links: Mapped[list[CourseTopic]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by=CourseTopic.topic,
    )
    modules: Mapped[list[Module]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, back_populates="course"
    )

    def translation(self, language: str) -> CourseTranslation | None:
        return next((t for t in self.translations if t.lang == language), None)

    def title_in(self, language: str) -> str:
        """The title in ``language``, else in the default language, else the code."""
        translation = self.translation(language) or self.translation(self.default_language)
        return translation.title if translation is not None else self.code

    @property
    def languages(self) -> list[str]:
        return ordered_languages(self.default_language, (t.lang for t in self.translations))

    @property
    def topics(self) -> list[str]:
        return [link.topic for link in self.topic_links]

    @property
    def owner_ids(self) -> frozenset[int]:
        return frozenset(link.user_id for link in self.owner_links)
