"""Importing a package creates or updates its course idempotently and all or nothing."""

from __future__ import annotations

import io

import pytest
import yaml

from elearn.accounts.models import Role
from elearn.audit.models import AuditEvent
from elearn.courses.models import (
    Course,
    CourseOwner,
    Lesson,
    LessonTranslation,
    Module,
    QuizDefinition,
)
from tests.content.builders import FIXTURES, fixture_package, zip_of
from tests.courses.builders import stored

SLUG = "customs-valuation-transaction-value"


@pytest.fixture
def trainer(make):
    return make.user(Role.TRAINER, administration=None)


def counts(make):
    return {
        model.__name__: make.count(model)
        for model in (Course, Module, Lesson, LessonTranslation, QuizDefinition)
    }


def edited(files, path, change):
    """The package with ``change(document)`` applied to one YAML file."""
    document = yaml.safe_load(files[path])
    change(document)
    return {**files, path: yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()}


def outline_keys(client, person, course_id):
    outline = client.get(
        f"/api/v1/courses/{course_id}/modules?archived=true", headers=person.headers
    )
    return [
        (
            m["key"],
            m["archived_at"] is not None,
            [(lesson["key"], lesson["position"]) for lesson in m["lessons"]],
        )
        for m in outline.json["modules"]
    ]


def test_a_trainer_imports_a_package_and_owns_the_new_course(upload, trainer, make, client):
    response = upload(trainer, fixture_package())

    assert response.status_code == 200, response.json
    assert response.json["created"] is True
    assert (response.json["slug"], response.json["status"]) == (SLUG, "draft")
    assert response.json["lessons_created"] == 4
    assert counts(make) == {
        "Course": 1,
        "Module": 2,
        "Lesson": 4,
        "LessonTranslation": 8,
        "QuizDefinition": 1,
    }
    course_id = response.json["course_id"]
    assert make.count(CourseOwner, course_id=course_id, user_id=trainer.id) == 1
    detail = client.get(f"/api/v1/courses/{course_id}?lang=ru", headers=trainer.headers).json
    assert detail["title"] == "Таможенная стоимость: метод по стоимости сделки"
    assert detail["topics"] == ["valuation", "wto"]
    assert (detail["due_days"], detail["estimated_minutes"]) == (60, 120)
    assert [lesson["kind"] for m in detail["modules"] for lesson in m["lessons"]] == [
        "text",
        "video",
        "link",
        "quiz",
    ]


def test_the_quiz_is_kept_as_written_and_as_normalised_json(app, upload, trainer, make):
    course_id = upload(trainer, fixture_package()).json["course_id"]

    (quiz,) = stored(app, QuizDefinition)

    assert quiz.source == (FIXTURES / "valuation" / "quizzes" / "final-quiz.yaml").read_text()
    assert quiz.definition["languages"] == ["en", "ru"]
    assert quiz.definition["settings"]["draw"] == [{"pool": "rules", "count": 1}]
    by_key = {q["key"]: q for q in quiz.definition["questions"]}
    assert by_key["gir-1-purpose"]["options"][1] == {
        "key": "b",
        "text": {"en": "Reference value only", "ru": "Только справочное значение"},
        "correct": True,
    }
    assert by_key["titles-binding"]["answer"] is False
    assert by_key["freight-share"]["tolerance"] == 0.5
    assert by_key["valuation-elements"]["scoring"] == "partial"
    assert by_key["agreement-name"]["points"] == 1
    assert make.get(Lesson, quiz.lesson_id).course_id == course_id


def test_reimporting_the_same_package_changes_nothing(upload, trainer, make, client):
    first = upload(trainer, fixture_package()).json
    course_path = f"/api/v1/courses/{first['course_id']}"
    before = (counts(make), outline_keys(client, trainer, first["course_id"]))
    detail = client.get(course_path, headers=trainer.headers)
    updates = make.count(AuditEvent, action="course.updated")

    again = upload(trainer, fixture_package())

    assert again.status_code == 200
    assert again.json["created"] is False
    assert again.json["course_id"] == first["course_id"]
    assert (again.json["lessons_created"], again.json["lessons_kept"]) == (0, 4)
    assert (counts(make), outline_keys(client, trainer, first["course_id"])) == before
    after = client.get(course_path, headers=trainer.headers)
    assert after.json["updated_at"] == detail.json["updated_at"]
    assert after.headers["ETag"] == detail.headers["ETag"]
    assert make.count(AuditEvent, action="course.updated") == updates


def test_reimport_matches_by_key_moves_reorders_and_removes(
    upload, trainer, make, client, progress
):
    course_id = upload(trainer, fixture_package()).json["course_id"]
    walkthrough = next(
        lesson["id"]
        for lesson in client.get(f"/api/v1/courses/{course_id}", headers=trainer.headers).json[
            "modules"
        ][0]["lessons"]
        if lesson["key"] == "walkthrough"
    )
    progress.add(walkthrough)

    def restructure(document):
        basics, sources = document["modules"]
        introduction, _walkthrough = basics["lessons"]
        sources["lessons"].insert(0, introduction)  # moved to another module, first
        document["modules"] = [sources]  # basics removed; walkthrough dropped

    response = upload(trainer, edited(fixture_package(), "course.yaml", restructure))

    assert response.status_code == 200, response.json
    assert {
        k: response.json[k]
        for k in ("lessons_created", "lessons_kept", "lessons_archived", "lessons_deleted")
    } == {
        "lessons_created": 0,
        "lessons_kept": 3,
        "lessons_archived": 1,
        "lessons_deleted": 0,
    }
    assert outline_keys(client, trainer, course_id) == [
        ("sources", False, [("introduction", 1), ("agreement-text", 2), ("final-quiz", 3)]),
        ("basics", True, [("walkthrough", None)]),
    ]
    assert make.count(Lesson) == 4

    progress.clear()
    revived = upload(trainer, fixture_package())
    assert revived.json["lessons_kept"] == 4
    assert outline_keys(client, trainer, course_id)[0] == (
        "basics",
        False,
        [("introduction", 1), ("walkthrough", 2)],
    )


def test_removed_lessons_without_progress_are_deleted(upload, trainer, make):
    upload(trainer, fixture_package())

    def drop_walkthrough(document):
        document["modules"][0]["lessons"].pop(1)

    response = upload(trainer, edited(fixture_package(), "course.yaml", drop_walkthrough))

    assert (response.json["lessons_deleted"], response.json["lessons_archived"]) == (1, 0)
    assert make.count(Lesson) == 3
    assert make.count(LessonTranslation) == 6


def test_import_and_publish_in_one_go(upload, trainer, client):
    response = upload(trainer, fixture_package(), publish="true")

    assert response.status_code == 200
    assert response.json["status"] == "published"
    trainee_view = client.get("/api/v1/courses", headers=trainer.headers).json
    assert [c["status"] for c in trainee_view] == ["published"]


QUIZ = "quizzes/final-quiz.yaml"


def test_a_quiz_passable_by_copying_is_imported_with_warnings(upload, trainer, make):
    response = upload(trainer, fixture_package())

    assert response.status_code == 200, response.json
    assert response.json["warnings"] == [
        f"{QUIZ}: settings.review: Answers are shown after each submission while attempts "
        "remain, so a later attempt can copy them; use after_pass_or_close (or after_close).",
        f"{QUIZ}: settings.cooldown_minutes: Attempts may follow each other without a pause; "
        "set a cooldown.",
        f"{QUIZ}: settings.draw[0].count: An attempt draws 1 of the 1 questions of the pool "
        "'rules'; a pool at least twice the draw keeps attempts different.",
        f"{QUIZ}: settings.draw: 6 of the 7 questions are in no drawn pool and asked in every "
        "attempt; draw them from pools at least twice the size of the draw.",
    ]
    assert make.count(QuizDefinition) == 1


def test_a_quiz_that_certifies_imports_without_warnings(upload, trainer):
    def certify(document):
        for question in document["questions"]:
            question["pool"] = "all"
        document["settings"].update(
            review="after_pass_or_close", cooldown_minutes=60, draw=[{"pool": "all", "count": 3}]
        )

    response = upload(trainer, edited(fixture_package(), QUIZ, certify))

    assert response.status_code == 200, response.json
    assert response.json["warnings"] == []


def test_a_quiz_that_counts_for_nothing_is_not_warned_about(upload, trainer):
    def ungraded(document):
        document["completion"] = {"quizzes": "none"}

    response = upload(trainer, edited(fixture_package(), "course.yaml", ungraded))

    assert response.status_code == 200, response.json
    assert response.json["warnings"] == []


def test_a_failed_publication_rolls_the_whole_import_back(upload, trainer, make):
    def blank_body(_files):
        return {
            **_files,
            "en/01-introduction.md": b"---\ntitle: Introduction\n---\n",
        }

    response = upload(trainer, blank_body(fixture_package()), publish="true")

    assert response.status_code == 409
    assert list(response.json["errors"]) == ["lessons.introduction.translations.en.body"]
    assert counts(make)["Course"] == 0
    assert counts(make)["Lesson"] == 0


def test_a_broken_reimport_leaves_the_course_as_it_was(upload, trainer, make, client):
    course_id = upload(trainer, fixture_package()).json["course_id"]
    before = (
        counts(make),
        client.get(f"/api/v1/courses/{course_id}", headers=trainer.headers).json,
    )

    def rename_and_break(document):
        document["translations"]["en"]["title"] = "Changed"
        document["modules"][1]["lessons"][0]["url"] = "ftp://example.org"

    response = upload(trainer, edited(fixture_package(), "course.yaml", rename_and_break))

    assert response.status_code == 422
    assert response.json["errors"] == {
        "course.yaml: modules[1].lessons[0].url": ["A link lesson needs an http(s) URL."]
    }
    after = (counts(make), client.get(f"/api/v1/courses/{course_id}", headers=trainer.headers).json)
    assert after == before


def test_only_editors_of_the_course_may_reimport_it(upload, trainer, make):
    upload(trainer, fixture_package())
    other_trainer = make.user(Role.TRAINER, administration=None)
    admin = make.user(Role.ADMIN, administration=None)

    assert upload(other_trainer, fixture_package()).status_code == 403
    assert upload(admin, fixture_package()).status_code == 200
    assert upload(make.user(Role.TRAINEE), fixture_package()).status_code == 403
    assert make.count(Course) == 1


def test_cookie_sessions_must_mark_multipart_uploads(client, trainer):
    client.post("/api/v1/auth/login", json={"email": trainer.email, "password": trainer.password})
    forged = client.post(
        "/api/v1/courses/import",
        data={"package": (io.BytesIO(zip_of(fixture_package())), "p.zip")},
        content_type="multipart/form-data",
    )
    marked = client.post(
        "/api/v1/courses/import",
        data={"package": (io.BytesIO(zip_of(fixture_package())), "p.zip")},
        content_type="multipart/form-data",
        headers={"X-Requested-With": "fetch"},
    )

    assert forged.status_code == 415
    assert "X-Requested-With" in forged.json["detail"]
    assert "application/json" not in forged.json["detail"]
    assert marked.status_code == 200
