"""Self-enrolment: admission rules, runs, capacity, due dates, reactivation, concurrency."""

from __future__ import annotations

import pytest

from elearn.accounts.models import Role
from elearn.audit.models import AuditEvent
from elearn.enrolments.models import Enrolment, LessonProgress
from elearn.enrolments.service import enrolling
from tests.enrolments.conftest import days, in_parallel


def enrol(client, person, course_id, **body):
    return client.post(f"/api/v1/courses/{course_id}/enrolments", json=body, headers=person.headers)


def test_a_trainee_enrols_in_a_self_paced_course_and_gets_its_due_date(
    client, make, actors, learning, frozen
):
    trainee = actors["trainee"]
    course = learning.course(due_days=30)

    response = enrol(client, trainee, course.id)

    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/enrolments/{body['id']}")
    assert body["status"] == "active"
    assert body["source"] == "self"
    assert body["progress_percent"] == 0
    assert body["run"] is None
    assert body["enrolled_at"] == frozen.isoformat()
    assert body["due_at"] == (frozen + days(30)).isoformat()
    assert body["course"]["id"] == course.id
    assert body["trainee"]["id"] == trainee.id
    assert body["next_lesson"]["id"] == course.lessons[0]
    assert make.count(AuditEvent, action="enrolment.created") == 1


def test_without_due_days_there_is_no_due_date(client, actors, learning):
    body = enrol(client, actors["trainee"], learning.course().id).get_json()
    assert body["due_at"] is None


def test_enrolling_twice_returns_the_existing_enrolment(client, make, actors, learning):
    course = learning.course()
    first = enrol(client, actors["trainee"], course.id)
    second = enrol(client, actors["trainee"], course.id)

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json()["id"] == first.get_json()["id"]
    assert make.count(Enrolment) == 1


def test_a_request_that_loses_the_race_returns_the_winners_enrolment(
    client, make, actors, learning, monkeypatch
):
    """The second INSERT hits the unique pair: its savepoint is undone and it answers 200."""
    course = learning.course()
    winner = enrol(client, actors["trainee"], course.id).get_json()
    find = enrolling.find_enrolment
    monkeypatch.setattr(
        enrolling,
        "find_enrolment",
        lambda user_id, course_id, lock=False: None if lock else find(user_id, course_id),
    )
    # The first, unlocked look must find nothing to return either.
    monkeypatch.setattr(enrolling, "HOLDING_STATUSES", ())

    response = enrol(client, actors["trainee"], course.id)

    assert response.status_code == 200
    assert response.get_json()["id"] == winner["id"]
    assert make.count(Enrolment) == 1


def test_a_run_is_required_when_the_course_has_runs(client, make, actors, learning):
    course = learning.course()
    learning.run(course)

    response = enrol(client, actors["trainee"], course.id)

    assert response.status_code == 422
    assert "run_id" in response.get_json()["errors"]
    assert make.count(Enrolment) == 0


def test_enrolling_in_a_run_takes_its_due_date(client, actors, learning, frozen):
    course = learning.course(due_days=5)
    run_id = learning.run(course, due_at=frozen + days(60), capacity=10)

    body = enrol(client, actors["trainee"], course.id, run_id=run_id).get_json()

    assert body["run"]["id"] == run_id
    assert body["due_at"] == (frozen + days(60)).isoformat()


def test_another_courses_run_is_a_field_error(client, make, actors, learning):
    other_run = learning.run(learning.course())
    response = enrol(client, actors["trainee"], learning.course().id, run_id=other_run)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"run_id": ["No such run of this course."]}
    assert make.count(Enrolment) == 0


@pytest.mark.parametrize(
    ("window", "detail"),
    [
        ({"enrolment_opens_at": 1}, "Enrolment in this run opens at"),
        ({"enrolment_closes_at": -1}, "Enrolment in this run is closed."),
        ({"ends_at": -1}, "This run has ended."),
    ],
)
def test_a_closed_run_refuses_enrolment(client, make, actors, learning, frozen, window, detail):
    course = learning.course()
    run_id = learning.run(course, **{k: frozen + days(v) for k, v in window.items()})

    response = enrol(client, actors["trainee"], course.id, run_id=run_id)

    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["detail"].startswith(detail)
    assert make.count(Enrolment) == 0


def test_a_full_run_refuses_the_next_person(client, make, actors, learning):
    course = learning.course()
    run_id = learning.run(course, capacity=1)
    first = enrol(client, actors["trainee"], course.id, run_id=run_id)
    other = make.user(Role.TRAINEE, administration="AZ")

    response = enrol(client, other, course.id, run_id=run_id)

    assert first.status_code == 201
    assert response.status_code == 409
    assert response.get_json()["detail"] == "This run is full."
    assert make.count(Enrolment) == 1


def test_a_withdrawn_seat_is_free_again(client, make, actors, learning):
    course = learning.course()
    run_id = learning.run(course, capacity=1)
    first = enrol(client, actors["trainee"], course.id, run_id=run_id).get_json()
    client.patch(
        f"/api/v1/enrolments/{first['id']}",
        json={"status": "withdrawn"},
        headers=actors["trainee"].headers,
    )
    other = make.user(Role.TRAINEE, administration="AZ")

    assert enrol(client, other, course.id, run_id=run_id).status_code == 201


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_an_unpublished_course_does_not_exist_for_a_trainee(client, make, actors, learning, status):
    response = enrol(client, actors["trainee"], learning.course(status=status).id)
    assert response.status_code == 404
    assert make.count(Enrolment) == 0


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_an_unpublished_course_takes_no_enrolment_even_from_its_editors(
    client, make, actors, learning, status
):
    response = enrol(client, actors["admin"], learning.course(status=status).id)
    assert response.status_code == 409
    assert f"The course is {status}" in response.get_json()["detail"]
    assert make.count(Enrolment) == 0


def test_a_course_closed_to_the_administration_is_not_found(client, make, actors, learning):
    response = enrol(client, actors["trainee"], learning.course(administrations=("GE",)).id)
    assert response.status_code == 404
    assert make.count(Enrolment) == 0


def test_a_run_closed_to_the_administration_refuses(client, make, actors, learning):
    course = learning.course()
    run_id = learning.run(course, administrations=("GE",))

    response = enrol(client, actors["trainee"], course.id, run_id=run_id)

    assert response.status_code == 403
    assert make.count(Enrolment) == 0


def test_an_editor_outside_the_restriction_is_not_admitted(client, make, actors, learning):
    course = learning.course(owners=(actors["trainer"],), administrations=("AZ",))
    response = enrol(client, actors["trainer"], course.id)
    assert response.status_code == 403
    assert make.count(Enrolment) == 0


def test_enrolling_again_after_withdrawing_reactivates_with_progress(
    client, make, actors, learning
):
    trainee = actors["trainee"]
    course = learning.course("text", "text", "text")
    first = enrol(client, trainee, course.id).get_json()
    learning.complete(trainee, first["id"], course.lessons[0])
    client.patch(
        f"/api/v1/enrolments/{first['id']}", json={"status": "withdrawn"}, headers=trainee.headers
    )

    again = enrol(client, trainee, course.id)

    assert again.status_code == 201
    body = again.get_json()
    assert body["id"] == first["id"]
    assert body["status"] == "active"
    assert body["progress_percent"] == 33
    assert body["next_lesson"]["id"] == course.lessons[1]
    assert make.count(Enrolment) == 1
    assert make.count(LessonProgress) == 1
    assert make.count(AuditEvent, action="enrolment.reactivated") == 1


def test_unknown_fields_and_unknown_courses(client, actors, learning):
    trainee = actors["trainee"]
    assert enrol(client, trainee, learning.course().id, seats=2).status_code == 422
    assert enrol(client, trainee, 999_999).status_code == 404
    assert client.post("/api/v1/courses/1/enrolments", json={}).status_code == 401


def test_two_simultaneous_enrolments_of_one_person_make_one_enrolment(
    committed_data, app, make, actors, learning
):
    course = learning.course()
    run_id = learning.run(course, capacity=1)
    statuses, ids = run_together(app, [actors["trainee"]] * 2, course.id, run_id)

    assert sorted(statuses) == [200, 201]
    assert len(set(ids)) == 1
    assert make.count(Enrolment) == 1


def test_two_simultaneous_enrolments_never_overfill_a_run(
    committed_data, app, make, actors, learning
):
    course = learning.course()
    run_id = learning.run(course, capacity=1)
    people = [make.user(Role.TRAINEE, administration="AZ") for _ in range(2)]

    statuses, _ = run_together(app, people, course.id, run_id)

    assert sorted(statuses) == [201, 409]
    assert make.count(Enrolment) == 1


def test_two_simultaneous_enrolments_in_a_course_without_runs(
    committed_data, app, make, actors, learning
):
    course = learning.course()
    statuses, ids = run_together(app, [actors["trainee"]] * 2, course.id, None)
    assert sorted(statuses) == [200, 201]
    assert len(set(ids)) == 1
    assert make.count(Enrolment) == 1


def run_together(app, people, course_id, run_id):
    """One self-enrolment per person, sent from parallel threads."""
    responses = in_parallel(
        app,
        [lambda client, p=person: enrol(client, p, course_id, run_id=run_id) for person in people],
    )
    return [r.status_code for r in responses], [(r.get_json() or {}).get("id") for r in responses]
