"""One officer's transcript: courses, statuses, dates, grades and certificates."""

from __future__ import annotations

from elearn.accounts.models import Role
from tests.reports.officers.builders import certified, graded


def test_the_transcript_lists_every_course_with_grades_and_certificates(
    app, client, make, actors, learning, frozen
):
    trainee = actors["trainee"]
    first, second = learning.course(), learning.course()
    done = learning.enrol(trainee, first)
    for lesson in first.lessons:
        learning.complete(trainee, done["id"], lesson)
    learning.enrol(trainee, second)
    graded(app, done["id"], 60, 90, 80)
    certified(app, done["id"], "AZ-7K2P-9QXM")

    response = client.get(
        f"/api/v1/users/{trainee.id}/transcript?lang=fr", headers=actors["contact_point"].headers
    )

    assert response.status_code == 200
    body = response.get_json()
    assert (body["user_id"], body["administration"], body["language"]) == (trainee.id, "AZ", "fr")
    by_course = {entry["course_id"]: entry for entry in body["entries"]}
    completed = by_course[first.id]
    assert completed["status"] == "completed"
    assert completed["course_title"].startswith("Évaluation")
    assert completed["completed_at"] == frozen.isoformat()
    assert completed["grades"] == {"best": 90.0, "last": 80.0, "attempts": 3}
    [certificate] = completed["certificates"]
    assert certificate["code"] == "AZ-7K2P-9QXM"
    assert certificate["verification_url"].endswith("/verify/AZ-7K2P-9QXM")
    assert by_course[second.id]["status"] == "active"
    assert by_course[second.id]["grades"] == {"best": None, "last": None, "attempts": 0}


def test_an_officer_reads_their_own_transcript_and_strangers_get_404(
    client, make, actors, learning
):
    trainee = actors["trainee"]
    learning.enrol(trainee, learning.course())
    colleague = make.user(Role.TRAINEE, administration="AZ")
    path = f"/api/v1/users/{trainee.id}/transcript"

    assert len(client.get(path, headers=trainee.headers).get_json()["entries"]) == 1
    assert client.get(path, headers=colleague.headers).status_code == 404
    assert client.get(path, headers=actors["other_contact_point"].headers).status_code == 404


def test_the_transcript_takes_few_queries_however_many_courses(client, actors, learning, queries):
    trainee = actors["trainee"]
    path = f"/api/v1/users/{trainee.id}/transcript"
    learning.enrol(trainee, learning.course())
    client.get(path, headers=trainee.headers)
    queries.reset()
    client.get(path, headers=trainee.headers)
    few = queries.count
    for _ in range(5):
        learning.enrol(trainee, learning.course())

    queries.reset()
    client.get(path, headers=trainee.headers)

    assert queries.count == few
