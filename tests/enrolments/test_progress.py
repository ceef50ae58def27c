"""Lesson progress, the percentage, completion and its signal, and the quizzes interface."""

from __future__ import annotations

import pytest

from elearn.accounts.models import Role
from elearn.audit.models import AuditEvent
from elearn.courses.models import Lesson
from elearn.enrolments.models import Enrolment, LessonProgress
from elearn.enrolments.service import lookups as service
from elearn.errors import Forbidden
from elearn.extensions import db
from tests.enrolments.conftest import in_parallel


def test_completing_lessons_moves_progress_and_activity(client, make, actors, learning, frozen):
    trainee = actors["trainee"]
    course = learning.course("text", "text", "text", "text")
    enrolment = learning.enrol(trainee, course)

    response = learning.complete(trainee, enrolment["id"], course.lessons[1])

    assert response.status_code == 200
    body = response.get_json()
    assert body["progress_percent"] == 25
    assert body["started_at"] == frozen.isoformat()
    assert body["last_activity_at"] == frozen.isoformat()
    assert body["status"] == "active"
    assert body["next_lesson"] == {"id": course.lessons[0], "kind": "text", "title": "Lesson 1"}
    assert make.count(LessonProgress, enrolment_id=enrolment["id"]) == 1


def test_completing_a_lesson_twice_changes_nothing(client, make, actors, learning):
    trainee = actors["trainee"]
    course = learning.course("text", "text")
    enrolment = learning.enrol(trainee, course)
    first = learning.complete(trainee, enrolment["id"], course.lessons[0]).get_json()

    second = learning.complete(trainee, enrolment["id"], course.lessons[0])

    assert second.status_code == 200
    assert second.get_json() == first
    assert make.count(LessonProgress) == 1


def test_the_last_required_lesson_completes_the_enrolment_once(
    client, make, actors, learning, completions, frozen
):
    trainee = actors["trainee"]
    course = learning.course("text", "text:optional", "text")
    enrolment = learning.enrol(trainee, course)

    learning.complete(trainee, enrolment["id"], course.lessons[0])
    done = learning.complete(trainee, enrolment["id"], course.lessons[2]).get_json()
    learning.complete(trainee, enrolment["id"], course.lessons[2])
    learning.complete(trainee, enrolment["id"], course.lessons[1])

    assert done["status"] == "completed"
    assert done["completed_at"] == frozen.isoformat()
    assert done["progress_percent"] == 100
    assert done["next_lesson"] is None
    assert completions == [enrolment["id"]]
    assert make.count(AuditEvent, action="enrolment.completed") == 1


def test_with_the_all_rule_optional_lessons_count(client, actors, learning, completions):
    trainee = actors["trainee"]
    course = learning.course("text", "text:optional", completion_lessons="all")
    enrolment = learning.enrol(trainee, course)

    first = learning.complete(trainee, enrolment["id"], course.lessons[0]).get_json()

    assert (first["status"], first["progress_percent"]) == ("active", 50)
    assert completions == []


def test_a_quiz_lesson_is_refused_it_completes_by_passing(client, make, actors, learning):
    trainee = actors["trainee"]
    course = learning.course("text", "quiz")
    enrolment = learning.enrol(trainee, course)

    response = learning.complete(trainee, enrolment["id"], course.lessons[1])

    assert response.status_code == 409
    assert "pass the quiz" in response.get_json()["detail"]
    assert make.count(LessonProgress) == 0


def test_a_required_quiz_must_be_passed_to_complete(
    app, client, make, actors, learning, completions
):
    trainee = actors["trainee"]
    course = learning.course("text", "quiz")
    enrolment = learning.enrol(trainee, course)

    after_text = learning.complete(trainee, enrolment["id"], course.lessons[0]).get_json()
    pass_quiz(app, trainee.id, course.id, course.lessons[1])
    pass_quiz(app, trainee.id, course.id, course.lessons[1])

    assert (after_text["status"], after_text["progress_percent"]) == ("active", 50)
    stored = make.get(Enrolment, enrolment["id"])
    assert (stored.status, stored.progress_percent) == ("completed", 100)
    assert completions == [enrolment["id"]]
    assert make.count(LessonProgress) == 2


def test_passing_the_quiz_first_then_the_lesson_also_completes_once(
    app, client, actors, learning, completions
):
    trainee = actors["trainee"]
    course = learning.course("text", "quiz")
    enrolment = learning.enrol(trainee, course)

    pass_quiz(app, trainee.id, course.id, course.lessons[1])
    done = learning.complete(trainee, enrolment["id"], course.lessons[0]).get_json()

    assert done["status"] == "completed"
    assert completions == [enrolment["id"]]


def test_quizzes_do_not_count_when_the_course_does_not_require_them(
    client, actors, learning, completions
):
    trainee = actors["trainee"]
    course = learning.course("text", "quiz", completion_quizzes="none")
    enrolment = learning.enrol(trainee, course)

    done = learning.complete(trainee, enrolment["id"], course.lessons[0]).get_json()

    assert (done["status"], done["progress_percent"]) == ("completed", 100)
    assert completions == [enrolment["id"]]


def test_holding_enrolment_is_the_active_or_completed_enrolment(app, actors, learning):
    trainee = actors["trainee"]
    course = learning.course()
    enrolment = learning.enrol(trainee, course)
    with app.app_context():
        found = service.holding_enrolment(trainee.id, course.id)
        assert found.id == enrolment["id"]
        assert found.run is None
        with pytest.raises(Forbidden, match=r"You are not enrolled in this course\."):
            service.holding_enrolment(trainee.id, learning.course().id)


def test_holding_enrolment_refuses_a_withdrawn_enrolment(app, client, actors, learning):
    trainee = actors["trainee"]
    course = learning.course()
    enrolment = learning.enrol(trainee, course)
    client.patch(
        f"/api/v1/enrolments/{enrolment['id']}",
        json={"status": "withdrawn"},
        headers=trainee.headers,
    )
    with app.app_context(), pytest.raises(Forbidden):
        service.holding_enrolment(trainee.id, course.id)


def test_an_enrolment_in_a_run_exposes_the_runs_end(app, actors, learning, frozen):
    course = learning.course()
    run_id = learning.run(course, ends_at=frozen.replace(year=2031))
    learning.enrol(actors["trainee"], course, run_id=run_id)
    with app.app_context():
        enrolment = service.holding_enrolment(actors["trainee"].id, course.id)
        assert enrolment.run is not None
        assert enrolment.run.ends_at == frozen.replace(year=2031)


def test_another_courses_lesson_is_not_found(client, make, actors, learning):
    trainee = actors["trainee"]
    enrolment = learning.enrol(trainee, learning.course())
    elsewhere = learning.course().lessons[0]

    response = learning.complete(trainee, enrolment["id"], elsewhere)

    assert response.status_code == 404
    assert response.get_json()["detail"] == "No such lesson in this course."
    assert make.count(LessonProgress) == 0


def test_an_archived_lesson_takes_no_progress(app, client, make, actors, learning):
    trainee = actors["trainee"]
    course = learning.course("text", "text")
    enrolment = learning.enrol(trainee, course)
    archive = client.post(
        f"/api/v1/courses/{course.id}/lessons/{course.lessons[0]}/archive",
        headers=actors["admin"].headers,
    )
    assert archive.status_code == 200

    response = learning.complete(trainee, enrolment["id"], course.lessons[0])

    assert response.status_code == 409
    assert "archived" in response.get_json()["detail"]
    assert make.count(LessonProgress) == 0


def test_a_withdrawn_enrolment_takes_no_progress(client, make, actors, learning):
    trainee = actors["trainee"]
    course = learning.course()
    enrolment = learning.enrol(trainee, course)
    client.patch(
        f"/api/v1/enrolments/{enrolment['id']}",
        json={"status": "withdrawn"},
        headers=trainee.headers,
    )

    response = learning.complete(trainee, enrolment["id"], course.lessons[0])

    assert response.status_code == 409
    assert make.count(LessonProgress) == 0


def test_only_the_trainee_records_their_progress(client, make, actors, learning):
    course = learning.course(owners=(actors["trainer"],))
    enrolment = learning.enrol(actors["trainee"], course)
    stranger = make.user(Role.TRAINEE, administration="AZ")

    assert (
        learning.complete(actors["trainer"], enrolment["id"], course.lessons[0]).status_code == 403
    )
    assert learning.complete(stranger, enrolment["id"], course.lessons[0]).status_code == 404
    assert make.count(LessonProgress) == 0


def test_courses_refuse_deleting_a_lesson_with_progress(client, make, actors, learning):
    trainee = actors["trainee"]
    course = learning.course("text", "text", "text")
    enrolment = learning.enrol(trainee, course)
    learning.complete(trainee, enrolment["id"], course.lessons[0])
    admin = actors["admin"].headers

    refused = client.delete(
        f"/api/v1/courses/{course.id}/lessons/{course.lessons[0]}", headers=admin
    )
    allowed = client.delete(
        f"/api/v1/courses/{course.id}/lessons/{course.lessons[1]}", headers=admin
    )

    assert refused.status_code == 409
    assert allowed.status_code == 204
    assert make.count(Lesson, course_id=course.id) == 2


def pass_quiz(app, user_id, course_id, lesson_id):
    """What the quizzes domain does when an attempt passes, in its own unit of work."""
    with app.app_context():
        enrolment = service.holding_enrolment(user_id, course_id)
        service.record_quiz_passed(enrolment, lesson_id)
        db.session.commit()


def test_the_last_two_lessons_finished_at_once_complete_exactly_once(
    committed_data, app, make, actors, learning, completions
):
    trainee = actors["trainee"]
    course = learning.course("text", "text", "text")
    enrolment = learning.enrol(trainee, course)
    learning.complete(trainee, enrolment["id"], course.lessons[0])

    responses = in_parallel(
        app,
        [
            lambda client, lesson=lesson: client.post(
                f"/api/v1/enrolments/{enrolment['id']}/lessons/{lesson}/complete",
                headers=trainee.headers,
            )
            for lesson in course.lessons[1:]
        ],
    )

    assert [r.status_code for r in responses] == [200, 200]
    assert make.get(Enrolment, enrolment["id"]).status == "completed"
    assert completions == [enrolment["id"]]
