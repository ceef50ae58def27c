"""Arrange helpers for quizzes: a published course with a quiz lesson, one question of each type,
and answers read from an attempt's frozen key in the database."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from elearn.courses.models import Lesson, LessonTranslation, Module, QuizDefinition
from elearn.extensions import db
from elearn.formats.problems import Problems
from elearn.quizzes.format import read_quiz
from elearn.quizzes.models import Attempt, AttemptAnswer
from elearn.quizzes.service.source import render
from tests.courses.builders import CourseBuilder
from tests.factories import Person


def texts(en: str, ru: str | None = None) -> dict[str, str]:
    return {"en": en, "ru": ru or f"ru: {en}"}


# One question of each type; the key values are distinctive so tests can search for them.
SINGLE = {
    "key": "single-q",
    "type": "single",
    "stem": texts("Which instrument defines customs value?"),
    "options": [
        {"key": "gatt", "text": texts("GATT Article VII agreement"), "correct": True},
        {"key": "kyoto", "text": texts("Kyoto Convention")},
        {"key": "istanbul", "text": texts("Istanbul Convention")},
    ],
    "feedback": texts("Feedback-single-7f3a"),
}
MULTIPLE = {
    "key": "multiple-q",
    "type": "multiple",
    "scoring": "partial",
    "points": 2,
    "stem": texts("Which are added to the price paid?"),
    "options": [
        {"key": "commissions", "text": texts("Selling commissions"), "correct": True},
        {"key": "royalties", "text": texts("Royalties as a condition of sale"), "correct": True},
        {"key": "duties", "text": texts("Import duties")},
        {"key": "assembly", "text": texts("Assembly after import")},
    ],
}
TRUE_FALSE = {
    "key": "true-false-q",
    "type": "true_false",
    "answer": False,
    "stem": texts("Section titles are legally binding."),
    "feedback": texts("Feedback-tf-91c2"),
}
NUMERIC = {
    "key": "numeric-q",
    "type": "numeric",
    "answer": 4321.5,
    "tolerance": 0.25,
    "stem": texts("Freight to add, in euros?"),
}
SHORT_TEXT = {
    "key": "short-text-q",
    "type": "short_text",
    "accepted": {"en": ["Zanzibar Method Alpha"], "ru": ["Метод Занзибар"]},
    "stem": texts("Name the method."),
}
MATCHING = {
    "key": "matching-q",
    "type": "matching",
    "stem": texts("Match the articles."),
    "pairs": [
        {"left": texts("Article 1"), "right": texts("Transaction value")},
        {"left": texts("Article 2"), "right": texts("Identical goods")},
        {"left": texts("Article 3"), "right": texts("Similar goods")},
    ],
}
ORDERING = {
    "key": "ordering-q",
    "type": "ordering",
    "stem": texts("Order the methods."),
    "items": [
        texts("Transaction value"),
        texts("Identical goods"),
        texts("Similar goods"),
        texts("Deductive value"),
    ],
}
ALL_TYPES = [SINGLE, MULTIPLE, TRUE_FALSE, NUMERIC, SHORT_TEXT, MATCHING, ORDERING]
ALL_KEYS = [question["key"] for question in ALL_TYPES]


def correct_response(frozen: dict[str, Any]) -> dict[str, Any]:
    """The full-marks answer to a frozen question, read from its key."""
    key = frozen["key_data"]
    kind = frozen["type"]
    if kind == "single":
        return {"option": key["correct"][0]}
    if kind == "multiple":
        return {"options": list(key["correct"])}
    if kind == "true_false":
        return {"value": key["answer"]}
    if kind == "numeric":
        return {"value": key["answer"] + key["tolerance"] / 2}
    if kind == "short_text":
        return {"text": f"  {key['accepted'][0].upper()} "}
    if kind == "matching":
        return {"pairs": dict(key["pairs"])}
    return {"order": list(key["order"])}


def wrong_response(frozen: dict[str, Any]) -> dict[str, Any]:
    """A well-formed answer that earns nothing and contains no part of the key."""
    key = frozen["key_data"]
    kind = frozen["type"]
    if kind == "single":
        return {"option": next(o["id"] for o in frozen["options"] if o["id"] not in key["correct"])}
    if kind == "multiple":
        return {"options": [o["id"] for o in frozen["options"] if o["id"] not in key["correct"]]}
    if kind == "true_false":
        return {"value": not key["answer"]}
    if kind == "numeric":
        return {"value": key["answer"] + 100}
    if kind == "short_text":
        return {"text": "something else"}
    if kind == "matching":
        lefts = [entry["id"] for entry in frozen["left"]]
        rights = [key["pairs"][left] for left in lefts]
        return {"pairs": dict(zip(lefts, rights[1:] + rights[:1], strict=True))}
    return {"order": list(reversed(key["order"]))}


@dataclass
class BuiltQuiz:
    course_id: int
    quiz_id: int
    text_lesson_id: int


class QuizBuilder:
    """Commits a published course (en, ru) with a text lesson and a quiz lesson."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app = app
        self.client = client
        self.courses = CourseBuilder(app)

    def build(
        self,
        *,
        owners: tuple[Person, ...] = (),
        questions: list[dict[str, Any]] | None = None,
        status: str = "published",
        required_text: bool = False,
        **settings: Any,
    ) -> BuiltQuiz:
        course = self.courses.build(owners=owners, status=status, languages=("en", "ru"), lessons=1)
        document = {
            "settings": {"pass_mark": 70, **settings},
            "questions": copy.deepcopy(ALL_TYPES if questions is None else questions),
        }
        with self.app.app_context():
            text_lesson = db.session.get(Lesson, course.all_lesson_ids[0])
            assert text_lesson is not None
            text_lesson.required = required_text
            lesson = Lesson(
                course_id=course.id,
                module_id=course.module_ids[0],
                key="final-quiz",
                kind="quiz",
                position=2,
            )
            lesson.translations = [
                LessonTranslation(lang=lang, title=f"Final quiz ({lang})") for lang in ("en", "ru")
            ]
            if document["questions"]:
                lesson.quiz = definition_of(document)
            db.session.add(lesson)
            db.session.commit()
            return BuiltQuiz(course.id, lesson.id, text_lesson.id)

    def enrol(self, person: Person, course_id: int, **body: Any) -> int:
        response = self.client.post(
            f"/api/v1/courses/{course_id}/enrolments", json=body, headers=person.headers
        )
        assert response.status_code in (200, 201), response.get_json()
        return int(response.get_json()["id"])

    def frozen(self, attempt_id: int) -> list[dict[str, Any]]:
        """The attempt's frozen questions, keys included, as stored."""
        with self.app.app_context():
            return list(
                db.session.scalars(select(Attempt.questions).where(Attempt.id == attempt_id)).one()
            )

    def answers(self, attempt_id: int) -> list[AttemptAnswer]:
        with self.app.app_context():
            rows = list(
                db.session.scalars(
                    select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
                )
            )
            db.session.expunge_all()
            return rows

    def module_id(self, quiz_id: int) -> int:
        with self.app.app_context():
            lesson = db.session.get(Lesson, quiz_id)
            assert lesson is not None
            module = db.session.get(Module, lesson.module_id)
            assert module is not None
            return module.id

    def definition(self, quiz_id: int) -> QuizDefinition:
        with self.app.app_context():
            row = db.session.scalar(
                select(QuizDefinition).where(QuizDefinition.lesson_id == quiz_id)
            )
            assert row is not None
            db.session.expunge(row)
            return row


def definition_of(document: dict[str, Any]) -> QuizDefinition:
    problems = Problems()
    text = render(document)
    definition = read_quiz("quizzes/final-quiz.yaml", text, ["en", "ru"], 70, problems)
    assert definition is not None, problems.found
    return QuizDefinition(source=text, definition=definition)


class QuizClient:
    """The trainee's side of the API, one call per endpoint."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def start(self, person: Person, quiz_id: int, **query: str) -> TestResponse:
        return self.client.post(
            f"/api/v1/quizzes/{quiz_id}/attempts", query_string=query, headers=person.headers
        )

    def get(self, person: Person, attempt_id: int) -> TestResponse:
        return self.client.get(f"/api/v1/attempts/{attempt_id}", headers=person.headers)

    def save(self, person: Person, attempt_id: int, answers: dict[str, Any]) -> TestResponse:
        return self.client.put(
            f"/api/v1/attempts/{attempt_id}/answers",
            json={"answers": answers},
            headers=person.headers,
        )

    def submit(self, person: Person, attempt_id: int) -> TestResponse:
        return self.client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=person.headers)

    def result(self, person: Person, quiz_id: int) -> TestResponse:
        return self.client.get(f"/api/v1/quizzes/{quiz_id}/result", headers=person.headers)
