"""Withdrawing an enrolment and giving a trainee another due date."""

from __future__ import annotations

import pytest

from elearn import clock
from elearn.audit.models import AuditEvent
from elearn.enrolments.models import Enrolment
from elearn.extensions import db
from elearn.uow import unit_of_work
from tests.enrolments.conftest import days


def patch(client, person, enrolment_id, body):
    return client.patch(f"/api/v1/enrolments/{enrolment_id}", json=body, headers=person.headers)


@pytest.mark.parametrize("who", ["trainee", "contact_point", "trainer", "admin"])
def test_withdrawing(client, make, actors, learning, who):
    course = learning.course(owners=(actors["trainer"],))
    enrolment = learning.enrol(actors["trainee"], course)

    response = patch(client, actors[who], enrolment["id"], {"status": "withdrawn"})

    assert response.status_code == 200
    assert response.get_json()["status"] == "withdrawn"
    assert make.get(Enrolment, enrolment["id"]).status == "withdrawn"
    events = make.count(AuditEvent, action="enrolment.withdrawn", actor_id=actors[who].id)
    assert events == 1


def test_withdrawing_twice_is_a_conflict(client, make, actors, learning):
    enrolment = learning.enrol(actors["trainee"], learning.course())
    patch(client, actors["trainee"], enrolment["id"], {"status": "withdrawn"})

    response = patch(client, actors["trainee"], enrolment["id"], {"status": "withdrawn"})

    assert response.status_code == 409
    assert response.get_json()["detail"].startswith("This enrolment is withdrawn")
    assert make.count(AuditEvent, action="enrolment.withdrawn") == 1


def test_a_completed_enrolment_cannot_be_withdrawn(client, make, actors, learning):
    course = learning.course("text")
    enrolment = learning.enrol(actors["trainee"], course)
    learning.complete(actors["trainee"], enrolment["id"], course.lessons[0])

    response = patch(client, actors["trainee"], enrolment["id"], {"status": "withdrawn"})

    assert response.status_code == 409
    assert make.get(Enrolment, enrolment["id"]).status == "completed"


@pytest.mark.parametrize("who", ["contact_point", "trainer", "admin"])
def test_extending_a_due_date(client, make, actors, learning, frozen, who):
    course = learning.course(owners=(actors["trainer"],), due_days=10)
    enrolment = learning.enrol(actors["trainee"], course)
    new_due = frozen + days(40)

    response = patch(client, actors[who], enrolment["id"], {"due_at": new_due.isoformat()})

    assert response.status_code == 200
    assert response.get_json()["due_at"] == new_due.isoformat()
    assert make.get(Enrolment, enrolment["id"]).due_at == new_due
    assert make.count(AuditEvent, action="enrolment.due_date_changed") == 1


def test_a_trainee_cannot_extend_their_own_due_date(client, make, actors, learning, frozen):
    enrolment = learning.enrol(actors["trainee"], learning.course(due_days=10))
    response = patch(
        client, actors["trainee"], enrolment["id"], {"due_at": (frozen + days(90)).isoformat()}
    )
    assert response.status_code == 403
    assert make.get(Enrolment, enrolment["id"]).due_at == frozen + days(10)


def test_a_due_date_in_the_past_is_refused(client, make, actors, learning, frozen):
    enrolment = learning.enrol(actors["trainee"], learning.course(due_days=10))

    response = patch(
        client, actors["admin"], enrolment["id"], {"due_at": (frozen - days(1)).isoformat()}
    )

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"due_at": ["Must be in the future."]}
    assert make.get(Enrolment, enrolment["id"]).due_at == frozen + days(10)
    assert make.count(AuditEvent, action="enrolment.due_date_changed") == 0


def test_an_expired_enrolment_extended_is_active_again(app, client, make, actors, learning, frozen):
    enrolment = learning.enrol(actors["trainee"], learning.course())
    with app.app_context():
        db.session.get(Enrolment, enrolment["id"]).status = "expired"
        db.session.commit()

    response = patch(
        client, actors["admin"], enrolment["id"], {"due_at": (frozen + days(5)).isoformat()}
    )

    assert response.status_code == 200
    assert response.get_json()["status"] == "active"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"status": "active"},
        {"status": "completed"},
        {"status": "withdrawn", "due_at": "2031-01-01T00:00:00+00:00"},
        {"due_at": "soon"},
        {"progress_percent": 100},
    ],
)
def test_bad_changes_are_refused(client, make, actors, learning, body):
    enrolment = learning.enrol(actors["trainee"], learning.course())
    response = patch(client, actors["admin"], enrolment["id"], body)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert make.get(Enrolment, enrolment["id"]).status == "active"


def test_overdue_enrolments_expire_hourly_and_an_extension_revives_them(
    app, client, make, actors, learning, frozen
):
    course = learning.course("text", "text", due_days=10)
    late = learning.enrol(actors["trainee"], course)
    punctual = learning.enrol(make.user(administration="AZ"), course)
    clock.freeze(frozen + days(11))
    with app.app_context():
        db.session.get(Enrolment, punctual["id"]).due_at = frozen + days(30)
        db.session.commit()

    with app.app_context(), unit_of_work():
        assert app.extensions["celery"].tasks["elearn.enrolments.expire_overdue"]() == 1

    assert make.get(Enrolment, late["id"]).status == "expired"
    assert make.get(Enrolment, punctual["id"]).status == "active"
    assert make.count(AuditEvent, action="enrolment.expired", actor_id=None) == 1
    refused = client.post(
        f"/api/v1/enrolments/{late['id']}/lessons/{course.lessons[0]}/complete",
        json={},
        headers=actors["trainee"].headers,
    )
    assert refused.status_code == 409
    revived = patch(
        client, actors["contact_point"], late["id"], {"due_at": (frozen + days(20)).isoformat()}
    )
    assert revived.get_json()["status"] == "active"
