"""Mandatory assignments: assigning, newcomers enrolled while open, compliance, refusals."""

from __future__ import annotations

import pytest

from elearn import clock
from elearn.accounts.models import Role
from elearn.audit.models import AuditEvent
from elearn.enrolments.models import AssignedPerson, Assignment, Enrolment
from tests.enrolments.conftest import days

URL = "/api/v1/assignments"


def _assign(client, person, course_id, due_at, **body):
    return client.post(
        URL,
        json={"course_id": course_id, "target": "all", "due_at": due_at.isoformat(), **body},
        headers=person.headers,
    )


def _problem(response, status, words):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert words in response.get_json()["detail"]


def test_a_contact_point_assigns_a_course_to_every_officer_with_a_target_date(
    client, make, actors, learning, frozen
):
    officers = [actors["trainee"], make.user(Role.TRAINEE, administration="AZ")]
    make.user(Role.TRAINEE, administration="GE")
    course = learning.course()

    response = _assign(client, actors["contact_point"], course.id, frozen + days(30))

    assert response.status_code == 201
    body = response.get_json()
    assert (body["administration"], body["target"]) == ("AZ", "all")
    enrolments = make.all(Enrolment, course_id=course.id)
    assert sorted(e.user_id for e in enrolments) == sorted(o.id for o in officers)
    assert {(e.source, e.due_at) for e in enrolments} == {("assignment", frozen + days(30))}
    assert make.count(AuditEvent, action="assignment.created") == 1


def test_a_list_assignment_covers_only_the_people_named(client, make, actors, learning, frozen):
    named = make.user(Role.TRAINEE, administration="AZ")
    course = learning.course()

    response = _assign(
        client,
        actors["contact_point"],
        course.id,
        frozen + days(30),
        target="list",
        user_ids=[named.id],
    )

    assert response.status_code == 201
    assert [e.user_id for e in make.all(Enrolment, course_id=course.id)] == [named.id]


def test_officers_who_join_later_are_enrolled_while_the_assignment_is_open(
    client, make, actors, learning, frozen
):
    course = learning.course()
    assignment_id = _assign(
        client, actors["admin"], course.id, frozen + days(30), administration="AZ"
    ).get_json()["id"]
    moving = make.user(Role.TRAINEE, administration="GE")

    created = client.post(
        "/api/v1/users",
        json={"email": "newcomer@customs.test", "full_name": "New Comer", "administration": "AZ"},
        headers=actors["contact_point"].headers,
    )
    moved = client.patch(
        f"/api/v1/users/{moving.id}", json={"administration": "AZ"}, headers=actors["admin"].headers
    )

    assert created.status_code == 201
    assert moved.status_code == 200
    covered = {row.user_id for row in make.all(AssignedPerson, assignment_id=assignment_id)}
    assert {created.get_json()["id"], moving.id} <= covered
    newcomer = make.all(Enrolment, user_id=created.get_json()["id"])
    assert [(e.course_id, e.source) for e in newcomer] == [(course.id, "assignment")]


def test_after_the_target_date_newcomers_are_not_enrolled(client, make, actors, learning, frozen):
    course = learning.course()
    _assign(client, actors["contact_point"], course.id, frozen + days(3))
    clock.freeze(frozen + days(4))

    created = client.post(
        "/api/v1/users",
        json={"email": "late@customs.test", "full_name": "Late Comer", "administration": "AZ"},
        headers=actors["contact_point"].headers,
    )

    assert make.count(Enrolment, user_id=created.get_json()["id"]) == 0


def test_compliance_counts_on_time_late_in_progress_and_not_started(
    client, make, actors, learning, frozen
):
    course = learning.course()
    people = [actors["trainee"], *(make.user(Role.TRAINEE, administration="AZ") for _ in range(3))]
    assignment_id = _assign(
        client, actors["contact_point"], course.id, frozen + days(10)
    ).get_json()["id"]
    enrolment = {e.user_id: e.id for e in make.all(Enrolment, course_id=course.id)}
    on_time, late, started, _idle = people
    for lesson in course.lessons:
        learning.complete(on_time, enrolment[on_time.id], lesson)
    learning.complete(started, enrolment[started.id], course.lessons[0])
    clock.freeze(frozen + days(11))
    for lesson in course.lessons:
        learning.complete(late, enrolment[late.id], lesson)

    response = client.get(
        f"{URL}/{assignment_id}/compliance", headers=actors["contact_point"].headers
    )

    assert response.get_json() == {
        "assigned": 4,
        "completed_on_time": 1,
        "completed_late": 1,
        "in_progress": 1,
        "not_started": 1,
    }


def test_a_course_closed_to_the_administration_is_422_and_assigns_nothing(
    client, make, actors, learning, frozen
):
    make.administration("KZ")
    course = learning.course(administrations=("KZ",))

    response = _assign(client, actors["contact_point"], course.id, frozen + days(30))

    _problem(response, 422, "The course is closed to AZ")
    assert make.count(Assignment) == 0
    assert make.count(Enrolment) == 0


def test_an_unpublished_course_is_409(client, make, actors, learning, frozen):
    course = learning.course(status="draft")

    response = _assign(client, actors["admin"], course.id, frozen + days(30), administration="AZ")

    _problem(response, 409, "The course is draft; only published courses can be assigned.")
    assert make.count(Assignment) == 0


def test_a_list_naming_someone_of_another_administration_is_404(
    client, make, actors, learning, frozen
):
    foreign = make.user(Role.TRAINEE, administration="GE")
    course = learning.course()

    response = _assign(
        client,
        actors["contact_point"],
        course.id,
        frozen + days(30),
        target="list",
        user_ids=[actors["trainee"].id, foreign.id],
    )

    _problem(response, 404, f"No such person in AZ: {foreign.id}.")
    assert make.count(Enrolment) == 0


def test_a_contact_point_cannot_assign_for_another_administration(
    client, make, actors, learning, frozen
):
    course = learning.course()

    response = _assign(
        client, actors["contact_point"], course.id, frozen + days(30), administration="GE"
    )

    _problem(response, 404, "No such administration.")
    assert make.count(Assignment) == 0


def test_a_full_run_never_stops_a_newcomer_joining_and_the_audit_says_why(
    client, make, actors, learning, frozen
):
    course = learning.course()
    run_id = learning.run(course, capacity=1)
    _assign(client, actors["contact_point"], course.id, frozen + days(30), run_id=run_id)

    created = client.post(
        "/api/v1/users",
        json={"email": "full@customs.test", "full_name": "Full Run", "administration": "AZ"},
        headers=actors["contact_point"].headers,
    )

    assert created.status_code == 201
    assert make.count(Enrolment, user_id=created.get_json()["id"]) == 0
    [event] = make.all(AuditEvent, action="assignment.newcomer_not_enrolled")
    assert event.details["reason"] == "This run is full."


def test_a_unit_assignment_covers_the_active_officers_of_that_unit_only(
    client, make, actors, learning, frozen
):
    airport = [make.user(Role.TRAINEE, administration="AZ", unit="Airport") for _ in range(2)]
    make.user(Role.TRAINEE, administration="AZ", unit="Red Bridge")
    make.user(Role.TRAINEE, administration="AZ", unit="Airport", active=False)
    make.user(Role.TRAINEE, administration="GE", unit="Airport")
    course = learning.course()

    response = _assign(
        client, actors["contact_point"], course.id, frozen + days(30), target="unit", unit="Airport"
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    assert (response.get_json()["target"], response.get_json()["unit"]) == ("unit", "Airport")
    enrolled = sorted(e.user_id for e in make.all(Enrolment, course_id=course.id))
    assert enrolled == sorted(person.id for person in airport)
    [event] = make.all(AuditEvent, action="assignment.created")
    assert (event.details["unit"], event.details["people"]) == ("Airport", 2)


def test_officers_who_join_the_unit_while_it_is_open_are_enrolled(
    client, make, actors, learning, frozen
):
    make.user(Role.TRAINEE, administration="AZ", unit="Airport")
    moving_in = make.user(Role.TRAINEE, administration="AZ", unit="Red Bridge")
    from_abroad = make.user(Role.TRAINEE, administration="GE", unit="Airport")
    staying = make.user(Role.TRAINEE, administration="AZ", unit="Red Bridge")
    course = learning.course()
    assignment_id = _assign(
        client, actors["contact_point"], course.id, frozen + days(30), target="unit", unit="Airport"
    ).get_json()["id"]

    moved = client.patch(
        f"/api/v1/users/{moving_in.id}",
        json={"unit": "Airport"},
        headers=actors["contact_point"].headers,
    )
    came = client.patch(
        f"/api/v1/users/{from_abroad.id}",
        json={"administration": "AZ"},
        headers=actors["admin"].headers,
    )
    created = client.post(
        "/api/v1/users",
        json={
            "email": "airport@customs.test",
            "full_name": "Air Port",
            "administration": "AZ",
            "unit": "Airport",
        },
        headers=actors["contact_point"].headers,
    )

    assert (moved.status_code, came.status_code, created.status_code) == (200, 200, 201)
    covered = {row.user_id for row in make.all(AssignedPerson, assignment_id=assignment_id)}
    newcomers = {moving_in.id, from_abroad.id, created.get_json()["id"]}
    assert newcomers <= covered
    assert staying.id not in covered
    enrolled = {e.user_id: e.source for e in make.all(Enrolment, course_id=course.id)}
    assert {enrolled[person] for person in newcomers} == {"assignment"}


def test_moving_into_the_unit_after_the_target_date_enrols_nobody(
    client, make, actors, learning, frozen
):
    make.user(Role.TRAINEE, administration="AZ", unit="Airport")
    late = make.user(Role.TRAINEE, administration="AZ")
    course = learning.course()
    _assign(
        client, actors["contact_point"], course.id, frozen + days(3), target="unit", unit="Airport"
    )
    clock.freeze(frozen + days(4))

    moved = client.patch(
        f"/api/v1/users/{late.id}",
        json={"unit": "Airport"},
        headers=actors["contact_point"].headers,
    )

    assert moved.status_code == 200
    assert make.count(Enrolment, user_id=late.id) == 0


def test_an_officer_leaving_the_unit_keeps_the_enrolment_and_stays_counted(
    client, make, actors, learning, frozen
):
    leaving = make.user(Role.TRAINEE, administration="AZ", unit="Airport")
    course = learning.course()
    assignment_id = _assign(
        client, actors["contact_point"], course.id, frozen + days(30), target="unit", unit="Airport"
    ).get_json()["id"]

    client.patch(
        f"/api/v1/users/{leaving.id}", json={"unit": None}, headers=actors["contact_point"].headers
    )

    assert make.count(Enrolment, user_id=leaving.id, status="active") == 1
    compliance = client.get(
        f"{URL}/{assignment_id}/compliance", headers=actors["contact_point"].headers
    )
    assert compliance.get_json()["assigned"] == 1


def test_a_unit_nobody_active_is_in_is_422_naming_it_and_assigns_nothing(
    client, make, actors, learning, frozen
):
    make.user(Role.TRAINEE, administration="AZ", unit="Airport")
    make.user(Role.TRAINEE, administration="GE", unit="Airprot")
    course = learning.course()

    response = _assign(
        client, actors["contact_point"], course.id, frozen + days(30), target="unit", unit="Airprot"
    )

    _problem(response, 422, "No active officer of AZ is in the unit 'Airprot'.")
    assert list(response.get_json()["errors"]) == ["unit"]
    assert make.count(Assignment) == 0
    assert make.count(Enrolment) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target": "unit"}, "unit"),
        ({"target": "unit", "unit": "   "}, "unit"),
        ({"target": "unit", "unit": "x" * 201}, "unit"),
        ({"target": "all", "unit": "Airport"}, "unit"),
        ({"target": "list", "user_ids": [1], "unit": "Airport"}, "unit"),
        ({"target": "unit", "unit": "Airport", "user_ids": [1]}, "user_ids"),
        ({"target": "team", "unit": "Airport"}, "target"),
    ],
)
def test_a_unit_target_without_its_unit_or_with_the_wrong_fields_is_422(
    client, make, actors, learning, frozen, body, field
):
    make.user(Role.TRAINEE, administration="AZ", unit="Airport")
    course = learning.course()

    response = _assign(client, actors["contact_point"], course.id, frozen + days(30), **body)

    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert make.count(Assignment) == 0
    assert make.count(Enrolment) == 0
