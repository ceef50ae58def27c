"""Modules and lessons: the ordered outline of a course, with per-language lesson texts.

Active modules and lessons have dense positions (1..n) unique within their parent; archived ones
have no position, so they leave the outline while staying in trainees' history.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.database import Base, Timestamped

if TYPE_CHECKING:
    from elearn.courses.models.course import Course
    from elearn.courses.models.quiz import QuizDefinition


class LessonKind(StrEnum):
    TEXT = "text"
    VIDEO = "video"
    DOCUMENT = "document"
    LINK = "link"
    QUIZ = "quiz"


class Module(Timestamped, Base):
    __tablename__ = "modules"
    __table_args__ = (
        UniqueConstraint("course_id", "key"),
        UniqueConstraint("course_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int | None]
    titles: Mapped[dict[str, Any]] = mapped_column(default=dict)
    archived_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        back_populates="module",
        order_by="Lesson.position",
    )

    @property
    def active_lessons(self) -> list[Lesson]:
        return [lesson for lesson in self.lessons if lesson.archived_at is None]


class LessonTranslation(Base):
    __tablename__ = "lesson_translations"
    __table_args__ = (UniqueConstraint("lesson_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")


class Lesson(Timestamped, Base):
    __tablename__ = "lessons"
    # Keys are unique per course (not per module) so a re-import can move a lesson between modules.
    __table_args__ = (
        UniqueConstraint("course_id", "key"),
        UniqueConstraint("module_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20), default=LessonKind.TEXT)
    position: Mapped[int | None]
    required: Mapped[bool] = mapped_column(default=True)
    minutes: Mapped[int | None]
    url: Mapped[str | None] = mapped_column(String(2000))
    # Filled by the media domain (video and document lessons).
    media_asset_id: Mapped[int | None] = mapped_column(ForeignKey("media_assets.id"), index=True)
    archived_at: Mapped[datetime | None]

    module: Mapped[Module] = relationship(back_populates="lessons")
    translations: Mapped[list[LessonTranslation]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by=LessonTranslation.lang
    )
    quiz: Mapped[QuizDefinition | None] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, back_populates="lesson"
    )

    def translation(self, language: str) -> LessonTranslation | None:
        return next((t for t in self.translations if t.lang == language), None)
