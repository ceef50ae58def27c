"""An edit that sends the values a record already has changes nothing and records nothing; an
edit that changes some of them names exactly those."""

from __future__ import annotations

from datetime import timedelta

from elearn.audit.models import AuditEvent


def events(make, action: str) -> list[list[str]]:
    return [event.details["fields"] for event in make.all(AuditEvent, action=action)]


def test_an_administration_patched_with_its_own_values_is_not_updated(client, make, actors):
    admin = actors["admin"]
    path = "/api/v1/administrations/GE"
    current = client.get(path, headers=admin.headers).get_json()

    same = client.patch(
        path, json={"names": current["names"], "active": current["active"]}, headers=admin.headers
    )
    partly = client.patch(
        path, json={"names": current["names"], "active": False}, headers=admin.headers
    )

    assert (same.status_code, partly.status_code) == (200, 200)
    assert events(make, "administration.updated") == [["active"]]


def test_a_user_patched_with_their_own_name_is_not_updated(client, make, actors):
    trainee, admin = actors["trainee"], actors["admin"]
    path = f"/api/v1/users/{trainee.id}"
    current = client.get(path, headers=admin.headers).get_json()

    same = client.patch(
        path,
        json={"full_name": current["full_name"], "language": current["language"]},
        headers=admin.headers,
    )
    partly = client.patch(
        path,
        json={"full_name": "Renamed Officer", "language": current["language"]},
        headers=admin.headers,
    )

    assert (same.status_code, partly.status_code) == (200, 200)
    assert events(make, "user.updated") == [["full_name"]]


def test_a_run_patched_with_its_own_values_is_not_updated(client, make, actors, learning, frozen):
    admin = actors["admin"]
    course = learning.course()
    run_id = learning.run(course, due_at=frozen + timedelta(days=30), capacity=5)
    path = f"/api/v1/runs/{run_id}"
    current = client.get(path, headers=admin.headers).get_json()

    same = client.patch(
        path,
        json={"capacity": current["capacity"], "name": current["name"]},
        headers=admin.headers,
    )
    partly = client.patch(
        path, json={"capacity": 6, "name": current["name"]}, headers=admin.headers
    )

    assert (same.status_code, partly.status_code) == (200, 200)
    assert events(make, "course_run.updated") == [["capacity"]]


def test_a_course_patched_with_its_own_values_is_not_updated(client, make, actors, learning):
    admin = actors["admin"]
    course = learning.course()
    path = f"/api/v1/courses/{course.id}"
    current = client.get(path, headers=admin.headers)

    same = client.patch(
        path,
        json={"pass_mark": current.json["pass_mark"], "topics": current.json["topics"]},
        headers=admin.headers,
    )

    assert same.status_code == 200
    assert same.json["updated_at"] == current.json["updated_at"]
    assert events(make, "course.updated") == []
