"""Reading enrolments: one's own, a course's, an administration's; no N+1 queries."""

from __future__ import annotations

import pytest
from flask import jsonify

from elearn import policy
from elearn.accounts.models import Role, User
from elearn.enrolments import queries as reading
from elearn.enrolments.schemas import EnrolmentSchema
from elearn.extensions import db
from elearn.pagination import PageRequest


def test_my_enrolments_show_title_progress_due_date_and_where_to_resume(
    client, actors, learning, frozen
):
    trainee = actors["trainee"]
    first = learning.course("text", "text", due_days=7)
    second = learning.course("text", "text", "text", "text")
    finished = learning.course("text")
    a = learning.enrol(trainee, first)
    b = learning.enrol(trainee, second)
    c = learning.enrol(trainee, finished)
    learning.complete(trainee, b["id"], second.lessons[0])
    learning.complete(trainee, c["id"], finished.lessons[0])

    response = client.get(
        "/api/v1/me/enrolments", headers={**trainee.headers, "Accept-Language": "fr"}
    )

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.get_json()}
    assert response.headers["X-Total-Count"] == "3"
    assert rows[a["id"]]["course"]["title"].startswith("Évaluation")
    assert rows[a["id"]]["course"]["language"] == "fr"
    assert rows[a["id"]]["due_at"] is not None
    assert rows[a["id"]]["next_lesson"] == {
        "id": first.lessons[0],
        "kind": "text",
        "title": "Leçon 1",
    }
    assert rows[b["id"]]["progress_percent"] == 25
    assert rows[b["id"]]["next_lesson"]["id"] == second.lessons[1]
    assert rows[c["id"]]["status"] == "completed"
    assert rows[c["id"]]["next_lesson"] is None


def test_my_enrolments_filter_by_status_and_language(client, actors, learning):
    trainee = actors["trainee"]
    course = learning.course("text")
    enrolment = learning.enrol(trainee, course)
    learning.enrol(trainee, learning.course())
    learning.complete(trainee, enrolment["id"], course.lessons[0])

    completed = client.get(
        "/api/v1/me/enrolments?status=completed&lang=en", headers=trainee.headers
    )

    assert [row["id"] for row in completed.get_json()] == [enrolment["id"]]
    assert completed.get_json()[0]["course"]["language"] == "en"
    assert (
        client.get("/api/v1/me/enrolments?status=lost", headers=trainee.headers).status_code == 422
    )


def test_my_enrolments_take_the_same_queries_for_one_or_many(
    client, make, actors, learning, queries, live_feed
):
    trainee = actors["trainee"]
    learning.enrol(trainee, learning.course())
    one = count_queries(client, queries, "/api/v1/me/enrolments", trainee)
    for _ in range(6):
        course = learning.course("text", "text", "quiz")
        enrolment = learning.enrol(trainee, course, run_id=learning.run(course))
        learning.complete(trainee, enrolment["id"], course.lessons[0])
    many = count_queries(client, queries, "/api/v1/me/enrolments", trainee)
    # the page, counted, with the lessons to resume at (the token's holder is remembered)
    assert many == one == 1


def test_without_a_live_feed_many_courses_take_the_statements_of_one(
    client, actors, learning, queries
):
    trainee = actors["trainee"]
    learning.enrol(trainee, learning.course())
    one = count_queries(client, queries, "/api/v1/me/enrolments", trainee)
    for _ in range(4):
        learning.enrol(trainee, learning.course("text", "quiz"))
    # the courses' titles and outlines in two statements for the whole page
    assert count_queries(client, queries, "/api/v1/me/enrolments", trainee) == one


def test_my_enrolments_follow_a_course_renamed_or_reshaped_while_remembered(
    client, actors, learning, live_feed
):
    trainee, admin = actors["trainee"], actors["admin"]
    course = learning.course("text", "text", "text")
    learning.enrol(trainee, course)
    before = client.get("/api/v1/me/enrolments", headers=trainee.headers).get_json()[0]
    assert before["next_lesson"]["id"] == course.lessons[0]

    renamed = client.patch(
        f"/api/v1/courses/{course.id}",
        json={"translations": {"en": {"title": "Origin rules"}}},
        headers=admin.headers,
    )
    archived = client.post(
        f"/api/v1/courses/{course.id}/lessons/{course.lessons[0]}/archive", headers=admin.headers
    )

    assert (renamed.status_code, archived.status_code) == (200, 200)
    after = client.get("/api/v1/me/enrolments", headers=trainee.headers).get_json()[0]
    assert after["course"]["title"] == "Origin rules"
    assert after["next_lesson"]["id"] == course.lessons[1]


def test_my_enrolments_are_what_the_schema_makes_of_them(app, client, actors, learning):
    trainee = actors["trainee"]
    course = learning.course("text", "text", due_days=7)
    enrolment = learning.enrol(trainee, course, run_id=learning.run(course))
    learning.complete(trainee, enrolment["id"], course.lessons[0])
    learning.enrol(trainee, learning.course("text"))

    response = client.get("/api/v1/me/enrolments?lang=fr&per_page=5", headers=trainee.headers)

    with app.test_request_context():
        holder = policy.actor_parameters(db.session.get_one(User, trainee.id))
        page = reading.list_my_enrolments(holder, None, "fr", PageRequest(1, 5), reading.row_view)
        expected = jsonify(EnrolmentSchema(many=True).dump(page.items)).get_data()
    assert response.get_data() == expected
    assert response.get_json()[1]["run"]["id"] is not None


def test_a_page_past_the_last_is_empty_and_still_counted(
    client, actors, learning, queries, live_feed
):
    trainee = actors["trainee"]
    for _ in range(3):
        learning.enrol(trainee, learning.course())
    path = "/api/v1/me/enrolments?per_page=2&page=3"
    statements = count_queries(client, queries, path, trainee)

    response = client.get(path, headers=trainee.headers)

    assert response.get_json() == []
    assert response.headers["X-Total-Count"] == "3"
    assert (
        '<http://localhost/api/v1/me/enrolments?page=2&per_page=2>; rel="prev"'
        in (response.headers["Link"])
    )
    assert statements == 2  # the page, empty; the count


def test_trainers_list_their_courses_enrolments_with_filters(client, make, actors, learning):
    trainer = actors["trainer"]
    course = learning.course(owners=(trainer,))
    georgian = make.user(Role.TRAINEE, administration="GE")
    mine = learning.enrol(actors["trainee"], course)
    theirs = learning.enrol(georgian, course)
    learning.enrol(actors["trainee"], learning.course())
    path = f"/api/v1/courses/{course.id}/enrolments"

    everyone = client.get(path, headers=trainer.headers)
    georgians = client.get(f"{path}?administration=GE", headers=trainer.headers)
    withdrawn = client.get(f"{path}?status=withdrawn", headers=trainer.headers)

    assert sorted(row["id"] for row in everyone.get_json()) == sorted([mine["id"], theirs["id"]])
    assert [row["id"] for row in georgians.get_json()] == [theirs["id"]]
    assert georgians.get_json()[0]["trainee"]["administration"] == "GE"
    assert withdrawn.get_json() == []
    assert client.get(f"{path}?administration=ZZ", headers=trainer.headers).status_code == 422


def test_a_contact_point_sees_only_their_administrations_rows_of_a_course(
    client, make, actors, learning
):
    course = learning.course()
    mine = learning.enrol(actors["trainee"], course)
    learning.enrol(make.user(Role.TRAINEE, administration="GE"), course)

    response = client.get(
        f"/api/v1/courses/{course.id}/enrolments", headers=actors["contact_point"].headers
    )
    other = client.get(
        f"/api/v1/courses/{course.id}/enrolments?administration=AZ",
        headers=actors["other_contact_point"].headers,
    )

    assert [row["id"] for row in response.get_json()] == [mine["id"]]
    assert other.get_json() == []


def test_course_enrolments_take_the_same_queries_for_one_or_many(
    client, make, actors, learning, queries
):
    trainer = actors["trainer"]
    course = learning.course(owners=(trainer,))
    run_id = learning.run(course)
    path = f"/api/v1/courses/{course.id}/enrolments"
    learning.enrol(actors["trainee"], course, run_id=run_id)
    one = count_queries(client, queries, path, trainer)
    for code in ("AZ", "GE", "AZ", "GE", "AZ"):
        learning.enrol(make.user(Role.TRAINEE, administration=code), course, run_id=run_id)
    assert count_queries(client, queries, path, trainer) == one


def test_contact_points_list_their_administrations_enrolments(client, make, actors, learning):
    course = learning.course()
    mine = learning.enrol(actors["trainee"], course)
    learning.enrol(make.user(Role.TRAINEE, administration="GE"), course)
    cp = actors["contact_point"]

    default = client.get("/api/v1/enrolments", headers=cp.headers)
    named = client.get("/api/v1/enrolments?administration=az", headers=cp.headers)
    foreign = client.get("/api/v1/enrolments?administration=GE", headers=cp.headers)
    by_course = client.get(
        f"/api/v1/enrolments?course_id={course.id}", headers=actors["admin"].headers
    )

    assert [row["id"] for row in default.get_json()] == [mine["id"]]
    assert [row["id"] for row in named.get_json()] == [mine["id"]]
    assert foreign.status_code == 404
    assert "trainee" not in foreign.get_data(as_text=True)
    assert len(by_course.get_json()) == 2


def test_administration_enrolments_take_the_same_queries_for_one_or_many(
    client, make, actors, learning, queries
):
    cp = actors["contact_point"]
    learning.enrol(actors["trainee"], learning.course())
    one = count_queries(client, queries, "/api/v1/enrolments?administration=AZ", cp)
    for _ in range(5):
        learning.enrol(make.user(Role.TRAINEE, administration="AZ"), learning.course())
    many = count_queries(client, queries, "/api/v1/enrolments?administration=AZ", cp)
    assert many == one


def test_enrolment_detail_takes_a_fixed_number_of_queries(client, actors, learning, queries):
    trainee = actors["trainee"]
    course = learning.course("text", "text")
    enrolment = learning.enrol(trainee, course)
    path = f"/api/v1/enrolments/{enrolment['id']}"

    response = client.get(path, headers=trainee.headers)
    cost = count_queries(client, queries, path, trainee)

    assert response.get_json()["id"] == enrolment["id"]
    assert cost <= 12


def test_lists_are_paginated(client, make, actors, learning):
    trainee = actors["trainee"]
    for _ in range(3):
        learning.enrol(trainee, learning.course())
    response = client.get("/api/v1/me/enrolments?per_page=2&page=2", headers=trainee.headers)
    assert len(response.get_json()) == 1
    assert response.headers["X-Total-Count"] == "3"
    assert 'rel="prev"' in response.headers["Link"]


def count_queries(client, queries, path, person):
    client.get(path, headers=person.headers)
    queries.reset()
    response = client.get(path, headers=person.headers)
    assert response.status_code == 200
    return queries.count


@pytest.mark.committed
def test_a_safe_request_reads_on_a_connection_that_commits_each_statement(
    client, make, learning, queries
):
    trainee = make.user()
    learning.enrol(trainee, learning.course("text"))

    queries.reset()
    response = client.get("/api/v1/me/enrolments", headers=trainee.headers)

    assert response.status_code == 200
    assert len(response.get_json()) == 1
    assert len([s for s in queries.statements if "FROM enrolments" in s]) == 1
    # no transaction begun (on SQLite one shows as BEGIN IMMEDIATE)
    assert not [s for s in queries.statements if s.lstrip().upper().startswith("BEGIN")]


def test_page_links_name_each_requests_own_host_and_mount(client, actors, learning):
    trainee = actors["trainee"]
    learning.enrol(trainee, learning.course())

    for base in ("http://a.test", "https://b.test:8443/elearn", "http://a.test"):
        response = client.get("/api/v1/me/enrolments", base_url=base, headers=trainee.headers)

        assert response.status_code == 200
        assert (
            f'<{base}/api/v1/me/enrolments?page=1&per_page=20>; rel="first"'
            in (response.headers["Link"])
        )


def test_page_links_keep_the_other_arguments_before_the_page(client, actors, learning):
    trainee = actors["trainee"]
    learning.enrol(trainee, learning.course())

    response = client.get(
        "/api/v1/me/enrolments?lang=fr&per_page=5&status=active", headers=trainee.headers
    )

    assert response.status_code == 200
    assert (
        "<http://localhost/api/v1/me/enrolments?lang=fr&status=active&page=1&per_page=5>; "
        'rel="first"'
    ) in response.headers["Link"]
