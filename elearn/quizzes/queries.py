"""Read models of the quizzes API: what each caller may see of quizzes, attempts and results.

Trainee-facing views are built from frozen questions through ``snapshot.present``; scores and
answer keys enter a view only when the quiz's review policy discloses them (``Disclosure``), and
the response schemas name every field they write, so nothing else of a frozen question (its
``key_data``) can reach a response.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from elearn.json_encoding import plain
from elearn.quizzes.models import Attempt, AttemptStatus
from elearn.quizzes.service.answers import Saved
from elearn.quizzes.service.quiz import Quiz, QuizSettings, ReviewPolicy
from elearn.quizzes.service.snapshot import present
from elearn.quizzes.service.standing import Standing


@dataclass(frozen=True)
class Disclosure:
    """What a trainee sees of an attempt beyond the questions and their own answers."""

    score: bool = False
    answers: bool = False


def disclosure(
    attempt: Attempt, review: ReviewPolicy, standing: Callable[[], Standing]
) -> Disclosure:
    """Nothing while the attempt runs; afterwards what the review policy allows (``standing``
    is asked only by the policies that wait for the trainee's standing)."""
    if not attempt.finished or review is ReviewPolicy.NONE:
        return Disclosure()
    if review is ReviewPolicy.SCORE:
        return Disclosure(score=True)
    if review is ReviewPolicy.AFTER_SUBMISSION:
        return Disclosure(score=True, answers=True)
    now = standing()
    if review is ReviewPolicy.AFTER_PASS_OR_CLOSE:
        return Disclosure(score=True, answers=now.passed or now.closed)
    return Disclosure(score=True, answers=now.closed)


@dataclass(frozen=True)
class AttemptSummary:
    id: int
    number: int
    status: str
    started_at: datetime
    deadline_at: datetime | None
    submitted_at: datetime | None
    score: float | None
    passed: bool | None


@dataclass(frozen=True)
class AttemptView(AttemptSummary):
    quiz_id: int
    language: str
    review: str
    disclosed: Disclosure
    questions: list[dict[str, Any]]


def attempt_summary(attempt: Attempt, shown: Disclosure) -> AttemptSummary:
    return AttemptSummary(
        id=attempt.id,
        number=attempt.number,
        status=attempt.status,
        started_at=attempt.started_at,
        deadline_at=attempt.deadline_at,
        submitted_at=attempt.submitted_at,
        score=_rounded(attempt.score) if shown.score else None,
        passed=attempt.passed if shown.score else None,
    )


class ShownAnswer(Protocol):
    """What a view shows of a question's answer: a stored ``AttemptAnswer``, or one just graded."""

    @property
    def response(self) -> dict[str, Any] | None: ...

    @property
    def score(self) -> float | None: ...


def attempt_view(
    attempt: Attempt,
    settings: QuizSettings,
    shown: Disclosure,
    answers: Mapping[str, ShownAnswer] | None = None,
) -> AttemptView:
    """The attempt with its ``answers`` by question key (by default its stored rows)."""
    if answers is None:
        answers = {row.question_key: row for row in attempt.answers}
    summary = attempt_summary(attempt, shown)
    return AttemptView(
        **vars(summary),
        quiz_id=attempt.lesson_id,
        language=attempt.language,
        review=settings.review.value,
        disclosed=shown,
        questions=[
            _question(frozen, answers.get(frozen["key"]), shown) for frozen in attempt.questions
        ],
    )


def _question(frozen: dict[str, Any], row: ShownAnswer | None, shown: Disclosure) -> dict[str, Any]:
    view = present(frozen, reveal=shown.answers)
    view["response"] = row.response if row is not None else None
    if shown.answers and row is not None and row.score is not None:
        view["score"] = _rounded(row.score * frozen["points"])
    return view


# What ``QuestionViewSchema`` writes of a presented question (absent fields stay absent): the
# choice lists as id and text, the points as numbers, the rest as stored.
QUESTION_FIELDS = ("key", "type", "stem", "scoring", "response", "correct_answer", "feedback")
QUESTION_NUMBERS = ("points", "score")
QUESTION_CHOICES = ("options", "left", "right", "items")


def attempt_document(view: AttemptView) -> dict[str, Any]:
    """What ``AttemptSchema`` writes of ``view``, without marshmallow: submitting and starting
    are hot writes (a test holds the two equal for every question type and review policy)."""
    return {
        "id": view.id,
        "number": view.number,
        "status": str(view.status),
        "started_at": view.started_at.isoformat(),
        "deadline_at": plain(view.deadline_at),
        "submitted_at": plain(view.submitted_at),
        "score": view.score,
        "passed": view.passed,
        "quiz_id": view.quiz_id,
        "language": view.language,
        "review": view.review,
        "disclosed": {"score": view.disclosed.score, "answers": view.disclosed.answers},
        "questions": [_question_document(question) for question in view.questions],
    }


def _question_document(question: dict[str, Any]) -> dict[str, Any]:
    document = {name: question[name] for name in QUESTION_FIELDS if name in question}
    for name in QUESTION_NUMBERS:
        if name in question:
            value = question[name]
            document[name] = None if value is None else float(value)
    for name in QUESTION_CHOICES:
        if name in question:
            choices = question[name]
            document[name] = (
                None
                if choices is None
                else [{"id": choice["id"], "text": choice["text"]} for choice in choices]
            )
    return document


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@dataclass(frozen=True)
class AttemptProgress:
    """The answer to a save: how far the attempt is, without re-sending its questions."""

    id: int
    status: str
    deadline_at: datetime | None
    answered: list[str]
    question_count: int


def attempt_progress(saved: Saved) -> AttemptProgress:
    """The progress of an attempt that took a save (so it is running)."""
    attempt = saved.attempt
    return AttemptProgress(
        id=attempt.id,
        status=AttemptStatus.IN_PROGRESS.value,
        deadline_at=attempt.deadline_at,
        answered=saved.answered,
        question_count=len(attempt.questions),
    )


def progress_document(progress: AttemptProgress) -> dict[str, Any]:
    """What ``AttemptProgressSchema`` writes of ``progress``, without marshmallow: saving an
    answer is the hottest write (a test holds the two equal)."""
    return {
        "id": progress.id,
        "status": progress.status,
        "deadline_at": plain(progress.deadline_at),
        "answered": progress.answered,
        "question_count": progress.question_count,
    }


@dataclass(frozen=True)
class QuizResult:
    quiz_id: int
    pass_mark: int
    grading: str
    review: str
    time_limit_minutes: int | None
    max_attempts: int | None
    attempts_used: int
    attempts_left: int | None
    in_progress_attempt_id: int | None
    next_attempt_at: datetime | None
    grade: float | None
    passed: bool
    attempts: list[AttemptSummary]


def quiz_result(quiz: Quiz, standing: Standing) -> QuizResult:
    settings = standing.settings
    shown = [disclosure(a, settings.review, lambda: standing) for a in standing.attempts]
    running = standing.running
    return QuizResult(
        quiz_id=quiz.id,
        pass_mark=settings.pass_mark,
        grading=settings.grading.value,
        review=settings.review.value,
        time_limit_minutes=settings.time_limit_minutes,
        max_attempts=settings.max_attempts,
        attempts_used=len(standing.attempts),
        attempts_left=standing.attempts_left,
        in_progress_attempt_id=running.id if running is not None else None,
        next_attempt_at=standing.next_attempt_at,
        grade=_rounded(standing.grade) if settings.review is not ReviewPolicy.NONE else None,
        passed=standing.passed,
        attempts=[attempt_summary(a, s) for a, s in zip(standing.attempts, shown, strict=True)],
    )


@dataclass(frozen=True)
class EditorQuiz:
    """A quiz as its editors see it: every setting and question, answer keys included."""

    id: int
    course_id: int
    lesson_key: str
    languages: list[str]
    settings: dict[str, Any]
    questions: list[dict[str, Any]]
    updated_at: datetime | None


def editor_quiz(quiz: Quiz) -> EditorQuiz:
    definition = quiz.definition
    return EditorQuiz(
        id=quiz.id,
        course_id=quiz.course.id,
        lesson_key=quiz.lesson.key,
        languages=quiz.languages,
        settings=quiz.settings.as_definition(),
        questions=quiz.questions,
        updated_at=definition.updated_at if definition is not None else None,
    )
