"""The attempt document written without marshmallow is what ``AttemptSchema`` documents: every
question type, every review policy, running and finished, for the trainee and a contact point."""

from __future__ import annotations

import pytest

from elearn.accounts.models import Role
from elearn.quizzes.format import REVIEW
from elearn.quizzes.queries import AttemptView, attempt_document
from elearn.quizzes.schemas import AttemptSchema
from elearn.quizzes.service import attempts, review
from tests.quizzes.builders import correct_response, wrong_response


def views_of(app, attempt_id: int) -> list[AttemptView]:
    """The attempt as its trainee and as a contact point see it now."""
    with app.app_context():
        attempt = attempts.find_attempt(attempt_id)
        return [
            review.attempt_for_trainee(attempt, answers_allowed=allowed)
            for allowed in (True, False)
        ]


@pytest.mark.parametrize("policy", REVIEW)
def test_the_attempt_document_is_what_its_schema_documents(policy, app, make, quizzes, taking):
    quiz = quizzes.build(review=policy, time_limit_minutes=30)
    trainee = make.user(Role.TRAINEE, administration="AZ")
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    frozen = quizzes.frozen(attempt_id)
    # every type answered, right and wrong in turn, but the last question
    respond = (correct_response, wrong_response)
    answers = {q["key"]: respond[n % 2](q) for n, q in enumerate(frozen[:-1])}
    assert taking.save(trainee, attempt_id, answers).status_code == 200
    running = views_of(app, attempt_id)

    submitted = taking.submit(trainee, attempt_id)

    finished = views_of(app, attempt_id)
    assert submitted.get_json() == AttemptSchema().dump(finished[0])
    assert taking.get(trainee, attempt_id).get_json() == AttemptSchema().dump(finished[0])
    for view in (*running, *finished):
        assert attempt_document(view) == AttemptSchema().dump(view)
