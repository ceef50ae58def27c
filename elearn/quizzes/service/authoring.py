"""Trainers editing a quiz: its settings and its questions, always as one whole definition.

Every edit builds the quiz file the edit asks for, checks it with the quiz format (the one that
checks package imports, so the API and packages accept exactly the same quizzes), then
stores the normalised definition and its canonical file text (``source``), so an export after an
edit writes a file that re-imports to the same quiz. Running attempts keep their frozen copies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from elearn.courses.models import QuizDefinition
from elearn.courses.service import outline
from elearn.errors import Conflict, Invalid, NotFound
from elearn.extensions import db
from elearn.formats.problems import Problems
from elearn.quizzes.format import read_quiz
from elearn.quizzes.service import source
from elearn.quizzes.service.quiz import Quiz


def update_settings(quiz: Quiz, changes: Mapping[str, Any]) -> Quiz:
    """Apply ``changes`` to the settings (None restores a setting's default) and save the quiz."""
    _lock(quiz)
    settings = _document(quiz)["settings"]
    for name, value in changes.items():
        if value is None:
            settings.pop(name, None)
        else:
            settings[name] = value
    if "pass_mark" not in settings:
        settings["pass_mark"] = quiz.course.pass_mark
    return _save(quiz, settings, _document(quiz)["questions"], focus="settings")


def add_question(quiz: Quiz, question: Mapping[str, Any]) -> Quiz:
    """Append a question (package format); the first question creates the quiz definition."""
    _lock(quiz)
    document = _document(quiz)
    _ensure_key_free(quiz, question.get("key"))
    questions = [*document["questions"], dict(question)]
    return _save(quiz, document["settings"], questions, focus=f"questions[{len(questions) - 1}]")


def replace_question(quiz: Quiz, key: str, question: Mapping[str, Any]) -> Quiz:
    """Replace the question ``key`` in place (its key may change to one not yet used)."""
    _lock(quiz)
    document = _document(quiz)
    position = _position(quiz, key)
    if question.get("key") != key:
        _ensure_key_free(quiz, question.get("key"))
    questions = list(document["questions"])
    questions[position] = dict(question)
    return _save(quiz, document["settings"], questions, focus=f"questions[{position}]")


def delete_question(quiz: Quiz, key: str) -> Quiz:
    """Remove the question ``key``; refused when the quiz would break (no questions, a pool
    smaller than its draw)."""
    _lock(quiz)
    document = _document(quiz)
    position = _position(quiz, key)
    questions = [q for n, q in enumerate(document["questions"]) if n != position]
    return _save(quiz, document["settings"], questions, focus="questions")


def _lock(quiz: Quiz) -> None:
    """Serialise edits of the course's content (imports take the same lock)."""
    outline.lock_outline(quiz.course)


def _document(quiz: Quiz) -> dict[str, Any]:
    if quiz.definition is None:
        return {"settings": {"pass_mark": quiz.course.pass_mark}, "questions": []}
    return source.quiz_document(quiz.definition.definition)


def _position(quiz: Quiz, key: str) -> int:
    for position, question in enumerate(quiz.questions):
        if question["key"] == key:
            return position
    raise NotFound("No such question in this quiz.")


def _ensure_key_free(quiz: Quiz, key: Any) -> None:
    if any(question["key"] == key for question in quiz.questions):
        raise Conflict(f"The quiz already has a question with the key {key!r}.")


def _save(quiz: Quiz, settings: Any, questions: list[Any], *, focus: str) -> Quiz:
    """Check the whole quiz the edit produces; store it with its canonical file text."""
    text = source.render({"settings": settings, "questions": questions})
    problems = Problems()
    path = f"quizzes/{quiz.lesson.key}.yaml"
    definition = read_quiz(path, text, quiz.course.languages, quiz.course.pass_mark, problems)
    if definition is None:
        raise Invalid(
            f"The quiz would have {_count(problems)}; nothing was changed.",
            errors=_errors(problems, focus),
        )
    canonical = source.render(source.quiz_document(definition))
    if quiz.definition is None:
        quiz.lesson.quiz = QuizDefinition(source=canonical, definition=definition)
    else:
        quiz.definition.source, quiz.definition.definition = canonical, definition
    db.session.flush()
    return quiz


def _count(problems: Problems) -> str:
    count = len(problems.found)
    return f"{count} problem{'s' if count > 1 else ''}"


def _errors(problems: Problems, focus: str) -> dict[str, list[str]]:
    """Problems keyed by field: relative to the edited part (``options[1].text.ru``), or by
    their place in the whole quiz when they lie elsewhere (``questions[4].stem.fr``)."""
    inside = re.compile(rf"^{re.escape(focus)}(?:\.|(?=\[))")
    errors: dict[str, list[str]] = {}
    for problem in problems.found:
        where = problem.where
        if where == focus:
            where = "_schema"
        elif inside.match(where):
            where = inside.sub("", where, count=1)
        errors.setdefault(where or "_schema", []).append(problem.message)
    return errors
