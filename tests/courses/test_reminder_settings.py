"""Courses and runs say when trainees are reminded before their due date and when idle."""

from __future__ import annotations

import pytest

from elearn.accounts.models import Role
from elearn.courses.models import Course
from elearn.enrolments.models import CourseRun
from tests.courses.test_authoring import NEW_COURSE


def test_a_new_course_reminds_7_and_1_days_before_and_after_14_idle_days(client, make):
    trainer = make.user(Role.TRAINER, administration=None)
    make.administration("AZ")

    created = client.post("/api/v1/courses", json=NEW_COURSE, headers=trainer.headers)
    changed = client.patch(
        f"/api/v1/courses/{created.json['id']}",
        json={"reminder_offsets_days": [14, 3, 0], "idle_after_days": 5},
        headers=trainer.headers,
    )
    silenced = client.patch(
        f"/api/v1/courses/{created.json['id']}",
        json={"reminder_offsets_days": []},
        headers=trainer.headers,
    )

    assert (created.json["reminder_offsets_days"], created.json["idle_after_days"]) == ([7, 1], 14)
    assert (changed.json["reminder_offsets_days"], changed.json["idle_after_days"]) == (
        [14, 3, 0],
        5,
    )
    assert silenced.json["reminder_offsets_days"] == []
    assert make.get(Course, created.json["id"]).reminder_offsets_days == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reminder_offsets_days": [7, -1]}, "reminder_offsets_days"),
        ({"reminder_offsets_days": [1, 7]}, "reminder_offsets_days"),
        ({"reminder_offsets_days": [7, 7, 1]}, "reminder_offsets_days"),
        ({"reminder_offsets_days": [45, 1]}, "reminder_offsets_days"),  # the course lasts 30 days
        ({"reminder_offsets_days": [7, "1"]}, "reminder_offsets_days"),
        ({"reminder_offsets_days": None}, "reminder_offsets_days"),
        ({"idle_after_days": 0}, "idle_after_days"),
        ({"due_days": 5}, "reminder_offsets_days"),  # now shorter than the 7-day reminder
    ],
)
def test_bad_reminder_settings_are_422_and_change_nothing(client, make, changes, field):
    trainer = make.user(Role.TRAINER, administration=None)
    make.administration("AZ")
    course_id = client.post("/api/v1/courses", json=NEW_COURSE, headers=trainer.headers).json["id"]

    response = client.patch(f"/api/v1/courses/{course_id}", json=changes, headers=trainer.headers)

    assert response.status_code == 422, response.json
    assert response.content_type == "application/problem+json"
    assert field in response.json["errors"]
    course = make.get(Course, course_id)
    assert (course.reminder_offsets_days, course.idle_after_days, course.due_days) == (
        [7, 1],
        14,
        30,
    )


def test_a_run_overrides_the_courses_reminders_within_its_own_length(client, make):
    trainer = make.user(Role.TRAINER, administration=None)
    make.administration("AZ")
    course_id = client.post("/api/v1/courses", json=NEW_COURSE, headers=trainer.headers).json["id"]
    run = {
        "name": "Autumn",
        "starts_at": "2040-09-01T00:00:00+00:00",
        "due_at": "2040-09-11T00:00:00+00:00",
    }

    created = client.post(
        f"/api/v1/courses/{course_id}/runs",
        json={**run, "reminder_offsets_days": [3], "idle_after_days": 2},
        headers=trainer.headers,
    )
    too_long = client.patch(
        f"/api/v1/runs/{created.json['id']}",
        json={"reminder_offsets_days": [10, 1]},
        headers=trainer.headers,
    )
    inherited = client.post(
        f"/api/v1/courses/{course_id}/runs", json={**run, "name": "Winter"}, headers=trainer.headers
    )

    assert created.status_code == 201, created.json
    assert (created.json["reminder_offsets_days"], created.json["idle_after_days"]) == ([3], 2)
    assert too_long.status_code == 422
    assert "reminder_offsets_days" in too_long.json["errors"]
    assert make.get(CourseRun, created.json["id"]).reminder_offsets_days == [3]
    assert (inherited.json["reminder_offsets_days"], inherited.json["idle_after_days"]) == (
        None,
        None,
    )
