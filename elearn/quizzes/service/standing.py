"""Where a trainee stands with a quiz: attempts used and left, the grade that counts, when the
next attempt may start, and whether the quiz is closed to them (for the after_close and
after_pass_or_close reviews)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from elearn.quizzes.models import Attempt
from elearn.quizzes.service.grading import final_grade
from elearn.quizzes.service.quiz import QuizSettings

# Scores are stored as floats; a pass mark of 70 is reached by 69.99999999 from 7 / 10 points.
SCORE_EPSILON = 1e-6


def reaches(score: float | None, pass_mark: int) -> bool:
    return score is not None and score + SCORE_EPSILON >= pass_mark


@dataclass(frozen=True)
class Standing:
    settings: QuizSettings
    # When the trainee's course run ends (None: no run, or one without an end).
    run_ends_at: datetime | None
    # Every attempt of this enrolment at this quiz, in order.
    attempts: Sequence[Attempt]
    now: datetime

    @property
    def running(self) -> Attempt | None:
        return next((a for a in self.attempts if not a.finished), None)

    @property
    def finished(self) -> list[Attempt]:
        return [a for a in self.attempts if a.finished]

    @property
    def attempts_left(self) -> int | None:
        """None: unlimited."""
        if self.settings.max_attempts is None:
            return None
        return max(0, self.settings.max_attempts - len(self.attempts))

    @property
    def grade(self) -> float | None:
        """The grade that counts, per the quiz's grading method, over finished attempts."""
        return final_grade(self.settings.grading, [a.score or 0.0 for a in self.finished])

    @property
    def passed(self) -> bool:
        return reaches(self.grade, self.settings.pass_mark)

    @property
    def run_ended(self) -> bool:
        return self.run_ends_at is not None and self.run_ends_at <= self.now

    @property
    def next_attempt_at(self) -> datetime | None:
        """When a new attempt may start; None when none may (run over, attempts used up)."""
        if self.run_ended or self.attempts_left == 0:
            return None
        if self.running is not None:
            return None
        finished = self.finished
        if not finished or not self.settings.cooldown_minutes:
            return self.now
        last_end = max(a.submitted_at or a.started_at for a in finished)
        return max(self.now, last_end + timedelta(minutes=self.settings.cooldown_minutes))

    @property
    def closed(self) -> bool:
        """No further attempt can ever change the trainee's grade: the run has ended, or every
        attempt is used and finished. Self-paced quizzes without a limit never close."""
        if self.run_ended:
            return True
        return self.attempts_left == 0 and self.running is None
