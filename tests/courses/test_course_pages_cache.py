"""A course's detail and lessons as non-editors see them, served from the process's cache: no
query while the change feed is live (who calls, what their scope sees of the course and its
version are remembered), every change at once."""

from __future__ import annotations

import pytest

from elearn.accounts.models import Role

# Reuse as on PostgreSQL, on any database: every change below is this process's own.
pytestmark = pytest.mark.usefixtures("live_feed")


@pytest.fixture
def people(make):
    make.administration("AZ")
    return {
        "trainee": make.user(Role.TRAINEE, administration="AZ"),
        "owner": make.user(Role.TRAINER, administration=None),
    }


def paths(course):
    lesson_id = course.lesson_ids[0][0]
    return f"/api/v1/courses/{course.id}", f"/api/v1/courses/{course.id}/lessons/{lesson_id}"


@pytest.mark.parametrize("page", [0, 1], ids=["detail", "lesson"])
def test_a_page_seen_again_takes_no_query(client, courses, people, queries, page):
    trainee = people["trainee"]
    path = paths(courses.build(owners=[people["owner"]]))[page]
    first = client.get(path, headers=trainee.headers)
    assert first.status_code == 200
    queries.reset()
    again = client.get(path, headers=trainee.headers)
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert queries.count == 0


def test_a_changed_lesson_shows_at_once(client, courses, people):
    trainee, owner = people["trainee"], people["owner"]
    course = courses.build(owners=[owner], body="Before.")
    detail, lesson = paths(course)
    assert client.get(lesson, headers=trainee.headers).json["html"] == "<p>Before.</p>\n"
    titles = [
        m["title"]
        for m in client.get(detail, headers=trainee.headers).json["modules"][0]["lessons"]
    ]
    response = client.patch(
        lesson,
        json={"translations": {"en": {"title": "Renamed", "body": "After."}}},
        headers=owner.headers,
    )
    assert response.status_code == 200, response.json
    assert client.get(lesson, headers=trainee.headers).json["html"] == "<p>After.</p>\n"
    changed = client.get(detail, headers=trainee.headers).json["modules"][0]["lessons"]
    assert [m["title"] for m in changed] == ["Renamed", *titles[1:]]


def test_editors_get_their_own_page(client, courses, people):
    trainee, owner = people["trainee"], people["owner"]
    detail, _ = paths(courses.build(owners=[owner]))
    assert client.get(detail, headers=trainee.headers).json["editing"] is None
    assert client.get(detail, headers=owner.headers).json["editing"]["owners"][0]["id"] == owner.id
    assert client.get(detail, headers=trainee.headers).json["editing"] is None


def test_a_course_leaving_the_catalogue_is_gone_at_once(client, courses, people):
    trainee, owner = people["trainee"], people["owner"]
    course = courses.build(owners=[owner])
    detail, lesson = paths(course)
    assert client.get(lesson, headers=trainee.headers).status_code == 200
    assert client.get(detail, headers=trainee.headers).status_code == 200
    response = client.post(f"/api/v1/courses/{course.id}/unpublish", headers=owner.headers)
    assert response.status_code == 200, response.json
    for path in (detail, lesson):
        gone = client.get(path, headers=trainee.headers)
        assert gone.status_code == 404
        assert gone.json["detail"] == "No such course."
