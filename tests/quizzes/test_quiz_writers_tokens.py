"""The quiz writes know their caller by id alone (``caller_id``): a token the process has not
met is read in one indexed statement with no account loaded, and refused by the same rules as
any token (revoked, expired, holder deactivated), with nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from elearn import clock
from elearn.accounts.models import ApiToken, Role, User
from elearn.extensions import db
from elearn.http_cache import forget_every_remembered_value
from elearn.quizzes.models import AttemptAnswer
from tests.quizzes.builders import TRUE_FALSE, correct_response

INVALID = "The token is invalid, expired or revoked."


@pytest.fixture
def running(quizzes, taking, make):
    """A trainee's running attempt and an answer to save, the process having met neither."""
    quiz = quizzes.build(questions=[TRUE_FALSE])
    trainee = make.user(Role.TRAINEE, administration="AZ")
    quizzes.enrol(trainee, quiz.course_id)
    attempt_id = taking.start(trainee, quiz.quiz_id).get_json()["id"]
    [question] = quizzes.frozen(attempt_id)
    forget_every_remembered_value()
    return trainee, attempt_id, {question["key"]: correct_response(question)}


def test_a_token_met_first_by_a_save_loads_no_account(app, taking, running, queries, live_feed):
    trainee, attempt_id, answers = running

    queries.reset()
    saved = taking.save(trainee, attempt_id, answers)

    assert saved.status_code == 200, saved.get_json()
    [holder] = [sql for sql in queries.statements if "api_tokens" in sql]
    assert "administrations" not in holder
    assert "user_roles" not in holder
    assert not [sql for sql in queries.statements if "user_roles" in sql]


def revoke(trainee):
    db.session.execute(update(ApiToken).where(ApiToken.user_id == trainee.id).values(
        revoked_at=clock.now()))  # fmt: skip


def expire(trainee):
    db.session.execute(update(ApiToken).where(ApiToken.user_id == trainee.id).values(
        expires_at=clock.now() - timedelta(seconds=1)))  # fmt: skip


def deactivate(trainee):
    db.session.execute(update(User).where(User.id == trainee.id).values(active=False))


@pytest.mark.parametrize("refusal", [revoke, expire, deactivate])
@pytest.mark.parametrize("write", ["save", "submit"])
def test_a_token_out_of_force_is_refused_with_nothing_written(
    app, taking, running, make, live_feed, refusal, write
):
    trainee, attempt_id, answers = running
    with app.app_context():
        refusal(trainee)
        db.session.commit()

    if write == "save":
        refused = taking.save(trainee, attempt_id, answers)
    else:
        refused = taking.submit(trainee, attempt_id)

    assert refused.status_code == 401
    assert refused.get_json()["detail"] == INVALID
    assert make.count(AttemptAnswer, attempt_id=attempt_id) == 0
