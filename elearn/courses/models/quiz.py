"""The quiz a quiz lesson carries, kept as its package file and as parsed JSON.

The quizzes domain takes ``definition`` over (questions, settings); ``source`` is the file as
imported, so that an export gives it back byte for byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.database import Base, Timestamped

if TYPE_CHECKING:
    from elearn.courses.models.outline import Lesson


class QuizDefinition(Timestamped, Base):
    __tablename__ = "quiz_definitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("lessons.id", ondelete="CASCADE"), unique=True
    )
    source: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict[str, Any]]

    lesson: Mapped[Lesson] = relationship(back_populates="quiz")

    @property
    def languages(self) -> list[str]:
        return list(self.definition.get("languages", []))
