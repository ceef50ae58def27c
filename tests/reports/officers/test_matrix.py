"""The course-by-officer matrix: progress and grade per officer, scoped by administration."""

from __future__ import annotations

from elearn.accounts.models import Role
from tests.reports.officers.builders import graded


def _matrix(client, person, course_id, query=""):
    return client.get(f"/api/v1/reports/courses/{course_id}/matrix{query}", headers=person.headers)


def test_the_trainer_sees_every_officer_and_a_contact_point_their_own(
    app, client, make, actors, learning
):
    course = learning.course(owners=(actors["trainer"],))
    own = learning.enrol(actors["trainee"], course)
    learning.complete(actors["trainee"], own["id"], course.lessons[0])
    graded(app, own["id"], 75, 65)
    foreign = make.user(Role.TRAINEE, administration="GE")
    learning.enrol(foreign, course)

    everyone = _matrix(client, actors["trainer"], course.id)
    only_az = _matrix(client, actors["contact_point"], course.id)
    filtered = _matrix(client, actors["admin"], course.id, "?administration=GE")

    assert {row["administration"] for row in everyone.get_json()} == {"AZ", "GE"}
    [row] = only_az.get_json()
    assert row["user_id"] == actors["trainee"].id
    assert row["progress_percent"] == 50
    assert row["grades"] == {"best": 75.0, "last": 65.0, "attempts": 2}
    assert [row["user_id"] for row in filtered.get_json()] == [foreign.id]


def test_a_contact_point_naming_another_administration_gets_404(client, actors, learning):
    course = learning.course()

    response = _matrix(client, actors["contact_point"], course.id, "?administration=GE")

    assert response.status_code == 404


def test_the_matrix_takes_the_same_queries_for_two_officers_or_twenty(
    app, client, make, actors, learning, queries
):
    course = learning.course(owners=(actors["trainer"],))

    def enrol_graded(count):
        for _ in range(count):
            person = make.user(Role.TRAINEE, administration="AZ")
            graded(app, learning.enrol(person, course)["id"], 80)

    def counted():
        _matrix(client, actors["trainer"], course.id, "?per_page=100")
        queries.reset()
        response = _matrix(client, actors["trainer"], course.id, "?per_page=100")
        return len(response.get_json()), queries.count

    enrol_graded(2)
    rows_before, few = counted()
    enrol_graded(18)
    rows_after, after = counted()

    assert (rows_before, rows_after) == (2, 20)
    assert after == few
