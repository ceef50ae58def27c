"""Nomination and approval runs: quotas, nominations, seat requests and their decisions."""

from __future__ import annotations

import pytest

from elearn.accounts.models import Role
from elearn.audit.models import AuditEvent
from elearn.enrolments.models import Enrolment, SeatRequest
from elearn.notifications.models import Notification
from tests.enrolments.conftest import in_parallel


@pytest.fixture
def course(actors, learning):
    return learning.course(owners=(actors["trainer"],))


def _run(learning, course, admission, **fields):
    return learning.run(course, admission=admission, **fields)


def _problem(response, status, words):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert words in response.get_json()["detail"]


# nomination


def test_the_owner_sets_a_quota_and_the_contact_point_nominates_within_it(
    client, make, actors, learning, course
):
    run_id = _run(learning, course, "nomination")
    officers = [make.user(Role.TRAINEE, administration="AZ") for _ in range(2)]

    quota = client.put(
        f"/api/v1/runs/{run_id}/quotas/AZ", json={"seats": 2}, headers=actors["trainer"].headers
    )
    nominated = client.post(
        f"/api/v1/runs/{run_id}/nominations",
        json={"user_ids": [officer.id for officer in officers]},
        headers=actors["contact_point"].headers,
    )

    assert quota.status_code == 200
    assert quota.get_json() == [{"administration": "AZ", "seats": 2, "seats_taken": 0}]
    assert nominated.status_code == 200
    assert [row["source"] for row in nominated.get_json()] == ["nomination", "nomination"]
    assert {row["trainee"]["id"] for row in nominated.get_json()} == {o.id for o in officers}
    quotas = client.get(f"/api/v1/runs/{run_id}/quotas", headers=actors["contact_point"].headers)
    assert quotas.get_json() == [{"administration": "AZ", "seats": 2, "seats_taken": 2}]
    assert make.count(AuditEvent, action="course_run.quota_set") == 1


def test_exceeding_the_quota_is_409_naming_it_and_enrols_nobody(
    client, make, actors, learning, course
):
    run_id = _run(learning, course, "nomination")
    client.put(
        f"/api/v1/runs/{run_id}/quotas/AZ", json={"seats": 1}, headers=actors["admin"].headers
    )
    officers = [make.user(Role.TRAINEE, administration="AZ") for _ in range(2)]

    response = client.post(
        f"/api/v1/runs/{run_id}/nominations",
        json={"user_ids": [officer.id for officer in officers]},
        headers=actors["contact_point"].headers,
    )

    _problem(response, 409, "The quota of AZ in this run is 1 seat(s): 0 taken, 2 more nominated.")
    assert make.count(Enrolment, run_id=run_id) == 0


def test_nominating_an_officer_of_another_administration_is_404_and_changes_nothing(
    client, make, actors, learning, course
):
    run_id = _run(learning, course, "nomination")
    client.put(
        f"/api/v1/runs/{run_id}/quotas/AZ", json={"seats": 5}, headers=actors["admin"].headers
    )
    own = make.user(Role.TRAINEE, administration="AZ")
    foreign = make.user(Role.TRAINEE, administration="GE")

    response = client.post(
        f"/api/v1/runs/{run_id}/nominations",
        json={"user_ids": [own.id, foreign.id]},
        headers=actors["contact_point"].headers,
    )

    _problem(response, 404, f"No such person: {foreign.id}.")
    assert make.count(Enrolment, run_id=run_id) == 0


def test_an_administration_without_a_quota_cannot_nominate(client, make, actors, learning, course):
    run_id = _run(learning, course, "nomination")

    response = client.post(
        f"/api/v1/runs/{run_id}/nominations",
        json={"user_ids": [actors["trainee"].id]},
        headers=actors["contact_point"].headers,
    )

    _problem(response, 409, "The quota of AZ in this run is 0 seat(s)")


def test_officers_cannot_enrol_themselves_in_a_nomination_or_approval_run(
    client, actors, learning, course
):
    for admission in ("nomination", "approval"):
        run_id = _run(learning, course, admission)
        response = client.post(
            f"/api/v1/courses/{course.id}/enrolments",
            json={"run_id": run_id},
            headers=actors["trainee"].headers,
        )
        _problem(response, 409, "This run takes")


def test_nominating_into_an_open_run_is_409(client, actors, learning, course):
    run_id = _run(learning, course, "open")

    response = client.post(
        f"/api/v1/runs/{run_id}/nominations",
        json={"user_ids": [actors["trainee"].id]},
        headers=actors["contact_point"].headers,
    )

    _problem(response, 409, "This run is open: enrol directly instead.")


# approval


def _request(client, person, run_id):
    return client.post(f"/api/v1/runs/{run_id}/seat-requests", headers=person.headers)


def test_an_officer_requests_a_seat_and_their_contact_point_approves_it(
    client, make, actors, learning, course
):
    run_id = _run(learning, course, "approval")
    trainee = actors["trainee"]

    requested = _request(client, trainee, run_id)
    again = _request(client, trainee, run_id)
    pending = client.get("/api/v1/seat-requests", headers=actors["contact_point"].headers)
    approved = client.post(
        f"/api/v1/seat-requests/{requested.get_json()['id']}/approve",
        headers=actors["contact_point"].headers,
    )

    assert requested.status_code == 201
    assert requested.get_json()["status"] == "pending"
    assert again.status_code == 200
    assert [row["id"] for row in pending.get_json()] == [requested.get_json()["id"]]
    assert approved.status_code == 200
    assert approved.get_json()["status"] == "approved"
    assert approved.get_json()["decided_by_id"] == actors["contact_point"].id
    [enrolment] = make.all(Enrolment, user_id=trainee.id, run_id=run_id)
    assert (enrolment.source, enrolment.status) == ("approval", "active")
    assert make.count(AuditEvent, action="seat_request.approved") == 1
    [mail] = make.all(Notification, user_id=trainee.id, kind="seat_request_approved")
    assert mail.context["run_name"] == "Spring"


def test_pending_lists_are_scoped_to_each_decider(client, make, actors, learning, course):
    run_id = _run(learning, course, "approval")
    request_id = _request(client, actors["trainee"], run_id).get_json()["id"]
    other = learning.course()
    foreign_run = _run(learning, other, "approval")
    _request(client, make.user(Role.TRAINEE, administration="GE"), foreign_run)

    def listed(name):
        response = client.get("/api/v1/seat-requests", headers=actors[name].headers)
        return [row["id"] for row in response.get_json()]

    assert listed("contact_point") == [request_id]
    assert listed("trainer") == [request_id]
    assert len(listed("other_contact_point")) == 1
    assert listed("other_contact_point") != [request_id]
    assert len(listed("admin")) == 2
    assert listed("trainee") == [request_id]


def test_a_rejection_needs_a_reason_and_tells_the_officer(client, make, actors, learning, course):
    run_id = _run(learning, course, "approval")
    request_id = _request(client, actors["trainee"], run_id).get_json()["id"]
    url = f"/api/v1/seat-requests/{request_id}/reject"

    without = client.post(url, json={}, headers=actors["contact_point"].headers)
    rejected = client.post(
        url, json={"reason": "No budget this year."}, headers=actors["contact_point"].headers
    )

    assert without.status_code == 422
    assert rejected.get_json()["status"] == "rejected"
    assert rejected.get_json()["reason"] == "No budget this year."
    [mail] = make.all(Notification, kind="seat_request_rejected")
    assert mail.context["reason"] == "No budget this year."
    assert make.count(Enrolment, run_id=run_id) == 0
    again = _request(client, actors["trainee"], run_id)
    assert (again.status_code, again.get_json()["status"]) == (201, "pending")


def test_the_trainer_confirms_after_the_contact_point_when_the_run_asks(
    client, make, actors, learning, course
):
    run_id = _run(learning, course, "approval", trainer_confirms=True)
    request_id = _request(client, actors["trainee"], run_id).get_json()["id"]
    url = f"/api/v1/seat-requests/{request_id}/approve"

    early = client.post(url, headers=actors["trainer"].headers)
    forwarded = client.post(url, headers=actors["contact_point"].headers)
    enrolled_before_confirming = make.count(Enrolment, run_id=run_id)
    by_contact_point = client.post(url, headers=actors["contact_point"].headers)
    confirmed = client.post(url, headers=actors["trainer"].headers)

    assert early.status_code == 403
    assert forwarded.get_json()["status"] == "awaiting_trainer"
    assert enrolled_before_confirming == 0
    assert by_contact_point.status_code == 403
    assert confirmed.get_json()["status"] == "approved"
    assert make.count(Enrolment, run_id=run_id) == 1
    kinds = [
        mail.kind
        for mail in make.all(Notification, user_id=actors["trainee"].id)
        if mail.kind.startswith("seat_request_")
    ]
    assert kinds == ["seat_request_forwarded", "seat_request_approved"]


def test_a_contact_point_cannot_approve_their_own_request(client, make, actors, learning, course):
    run_id = _run(learning, course, "approval")
    contact_point = actors["contact_point"]
    request_id = _request(client, contact_point, run_id).get_json()["id"]

    response = client.post(
        f"/api/v1/seat-requests/{request_id}/approve", headers=contact_point.headers
    )

    _problem(response, 403, "not allowed")
    assert make.get(SeatRequest, request_id).status == "pending"
    assert make.count(Enrolment, run_id=run_id) == 0


def test_a_request_on_an_open_run_is_409(client, make, actors, learning, course):
    run_id = _run(learning, course, "open")

    response = _request(client, actors["trainee"], run_id)

    _problem(response, 409, "This run is open: enrol directly instead.")
    assert make.count(SeatRequest) == 0


def test_approval_respects_the_run_capacity(client, make, actors, learning, course):
    run_id = _run(learning, course, "approval", capacity=1)
    colleague = make.user(Role.TRAINEE, administration="AZ")
    first = _request(client, colleague, run_id).get_json()["id"]
    second = _request(client, actors["trainee"], run_id).get_json()["id"]
    client.post(f"/api/v1/seat-requests/{first}/approve", headers=actors["admin"].headers)

    response = client.post(
        f"/api/v1/seat-requests/{second}/approve", headers=actors["contact_point"].headers
    )

    _problem(response, 409, "This run is full.")
    assert make.get(SeatRequest, second).status == "pending"


def test_the_officer_withdraws_and_a_decided_request_stays_decided(
    client, make, actors, learning, course
):
    run_id = _run(learning, course, "approval")
    request_id = _request(client, actors["trainee"], run_id).get_json()["id"]
    url = f"/api/v1/seat-requests/{request_id}/withdraw"

    withdrawn = client.post(url, headers=actors["trainee"].headers)
    twice = client.post(url, headers=actors["trainee"].headers)
    approve = client.post(
        f"/api/v1/seat-requests/{request_id}/approve", headers=actors["contact_point"].headers
    )

    assert withdrawn.get_json()["status"] == "withdrawn"
    _problem(twice, 409, "This request is withdrawn")
    _problem(approve, 409, "This request is withdrawn")
    assert make.count(AuditEvent, action="seat_request.withdrawn") == 1


def test_a_run_says_how_it_admits(client, actors, learning, course):
    response = client.post(
        f"/api/v1/courses/{course.id}/runs",
        json={"name": "Cohort", "admission": "approval", "trainer_confirms": True},
        headers=actors["trainer"].headers,
    )

    assert response.status_code == 201
    assert response.get_json()["admission"] == "approval"
    assert response.get_json()["trainer_confirms"] is True


def test_two_contact_points_nominating_at_once_never_overfill_a_quota(
    committed_data, app, make, actors, learning, course
):
    run_id = _run(learning, course, "nomination")
    make.administration("GE")
    client = app.test_client()
    client.put(
        f"/api/v1/runs/{run_id}/quotas/AZ", json={"seats": 1}, headers=actors["admin"].headers
    )
    second_contact_point = make.user(Role.CONTACT_POINT, administration="AZ")
    officers = [make.user(Role.TRAINEE, administration="AZ") for _ in range(2)]

    def nominating(contact_point, officer):
        def send(client):
            return client.post(
                f"/api/v1/runs/{run_id}/nominations",
                json={"user_ids": [officer.id]},
                headers=contact_point.headers,
            ).status_code

        return send

    statuses = in_parallel(
        app,
        [
            nominating(actors["contact_point"], officers[0]),
            nominating(second_contact_point, officers[1]),
        ],
    )

    assert sorted(statuses) == [200, 409]
    assert make.count(Enrolment, run_id=run_id) == 1
