"""Course runs: creating, editing, listing; what the run's dates do to enrolments."""

from __future__ import annotations

from elearn.accounts.models import Role
from elearn.audit.models import AuditEvent
from elearn.enrolments.models import CourseRun, CourseRunAdministration, Enrolment
from tests.enrolments.conftest import days


def iso(moment):
    return moment.isoformat()


def test_an_owner_creates_a_run(client, make, actors, learning, frozen):
    trainer = actors["trainer"]
    course = learning.course(owners=(trainer,))
    body = {
        "name": "Spring 2030",
        "enrolment_opens_at": iso(frozen),
        "enrolment_closes_at": iso(frozen + days(10)),
        "starts_at": iso(frozen + days(11)),
        "ends_at": iso(frozen + days(60)),
        "due_at": iso(frozen + days(55)),
        "capacity": 25,
        "administrations": ["az", "GE"],
    }

    response = client.post(f"/api/v1/courses/{course.id}/runs", json=body, headers=trainer.headers)

    assert response.status_code == 201
    run = response.get_json()
    assert {k: run[k] for k in body} == {**body, "administrations": ["AZ", "GE"]}
    assert run["seats_taken"] == 0
    assert run["course_id"] == course.id
    assert make.count(CourseRunAdministration, run_id=run["id"]) == 2
    assert make.count(AuditEvent, action="course_run.created") == 1


def test_run_dates_out_of_order_are_refused(client, make, actors, learning, frozen):
    course = learning.course()
    body = {"name": "Bad", "starts_at": iso(frozen + days(5)), "ends_at": iso(frozen)}

    response = client.post(
        f"/api/v1/courses/{course.id}/runs", json=body, headers=actors["admin"].headers
    )

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"ends_at": ["Must be after starts_at."]}
    assert make.count(CourseRun) == 0


def test_a_run_cannot_admit_an_administration_the_course_excludes(client, make, actors, learning):
    course = learning.course(administrations=("AZ",))
    body = {"name": "Wide", "administrations": ["GE"]}

    response = client.post(
        f"/api/v1/courses/{course.id}/runs", json=body, headers=actors["admin"].headers
    )

    assert response.status_code == 422
    assert "administrations" in response.get_json()["errors"]
    assert make.count(CourseRun) == 0


def test_bad_run_fields(client, make, actors, learning):
    course = learning.course()
    admin = actors["admin"].headers
    for body in ({}, {"name": "X", "capacity": 0}, {"name": "X", "starts_at": "2030-01-01T00:00"}):
        response = client.post(f"/api/v1/courses/{course.id}/runs", json=body, headers=admin)
        assert response.status_code == 422, body
    unknown = {"name": "X", "administrations": ["ZZ"]}
    assert (
        client.post(f"/api/v1/courses/{course.id}/runs", json=unknown, headers=admin).status_code
        == 422
    )
    assert make.count(CourseRun) == 0


def test_trainees_list_the_runs_open_to_them_with_seats(client, actors, learning, frozen, queries):
    course = learning.course()
    soon = learning.run(course, name="Soon", starts_at=frozen + days(5), capacity=3)
    later = learning.run(course, name="Later", starts_at=frozen + days(50))
    learning.run(course, name="Georgia only", administrations=("GE",))
    learning.enrol(actors["trainee"], course, run_id=soon)

    response = client.get(f"/api/v1/courses/{course.id}/runs", headers=actors["trainee"].headers)
    everything = client.get(f"/api/v1/courses/{course.id}/runs", headers=actors["admin"].headers)

    assert response.status_code == 200
    runs = response.get_json()
    assert [(r["id"], r["seats_taken"]) for r in runs] == [(soon, 1), (later, 0)]
    assert response.headers["X-Total-Count"] == "2"
    assert [r["name"] for r in everything.get_json()] == ["Soon", "Later", "Georgia only"]


def test_listing_runs_takes_the_same_queries_for_many_runs(client, actors, learning, queries):
    course = learning.course()
    learning.run(course, name="One")
    path = f"/api/v1/courses/{course.id}/runs"
    client.get(path, headers=actors["admin"].headers)
    queries.reset()
    client.get(path, headers=actors["admin"].headers)
    one = queries.count
    for number in range(8):
        learning.run(course, name=f"Run {number}", administrations=("AZ",))
    queries.reset()
    response = client.get(path, headers=actors["admin"].headers)
    assert len(response.get_json()) == 9
    assert queries.count == one


def test_an_owner_edits_a_run_and_followers_move_with_its_due_date(
    client, make, actors, learning, frozen
):
    trainer = actors["trainer"]
    course = learning.course(owners=(trainer,))
    run_id = learning.run(course, due_at=frozen + days(30))
    follower = learning.enrol(actors["trainee"], course, run_id=run_id)
    extended = learning.enrol(make.user(Role.TRAINEE, administration="AZ"), course, run_id=run_id)
    client.patch(
        f"/api/v1/enrolments/{extended['id']}",
        json={"due_at": iso(frozen + days(45))},
        headers=trainer.headers,
    )

    response = client.patch(
        f"/api/v1/runs/{run_id}",
        json={"due_at": iso(frozen + days(40)), "capacity": 2},
        headers=trainer.headers,
    )

    assert response.status_code == 200
    assert (response.get_json()["capacity"], response.get_json()["seats_taken"]) == (2, 2)
    assert make.get(Enrolment, follower["id"]).due_at == frozen + days(40)
    assert make.get(Enrolment, extended["id"]).due_at == frozen + days(45)


def test_a_run_due_date_in_the_past_is_refused(client, actors, learning, frozen):
    course = learning.course()
    run_id = learning.run(course, due_at=frozen + days(30))
    response = client.patch(
        f"/api/v1/runs/{run_id}",
        json={"due_at": iso(frozen - days(1))},
        headers=actors["admin"].headers,
    )
    assert response.status_code == 422
    assert client.get(f"/api/v1/runs/{run_id}", headers=actors["admin"].headers).get_json()[
        "due_at"
    ] == iso(frozen + days(30))


def test_a_run_closed_to_the_caller_is_not_found(client, actors, learning):
    run_id = learning.run(learning.course(), administrations=("GE",))
    assert (
        client.get(f"/api/v1/runs/{run_id}", headers=actors["trainee"].headers).status_code == 404
    )
    assert client.get("/api/v1/runs/999999", headers=actors["admin"].headers).status_code == 404
