"""Trainers create and edit their courses, share them with co-owners and publish them."""

from __future__ import annotations

from elearn.accounts.models import Role
from elearn.audit.models import AuditEvent
from elearn.courses.models import Course, CourseOwner, CourseTranslation, Lesson, Module
from tests.courses.builders import stored

NEW_COURSE = {
    "slug": "tariff-classification",
    "code": "HS-101",
    "default_language": "en",
    "topics": ["classification", "hs"],
    "estimated_minutes": 90,
    "pass_mark": 75,
    "completion": {"lessons": "all", "quizzes": "none"},
    "due_days": 30,
    "administrations": ["AZ"],
    "translations": {
        "en": {
            "title": "Tariff classification",
            "summary": "The HS.",
            "objectives": ["Apply GIR 1"],
        },
        "ru": {"title": "Тарифная классификация", "summary": "ГС."},
    },
}


def test_trainer_creates_a_draft_course_and_becomes_its_owner(client, make):
    trainer = make.user(Role.TRAINER, administration=None)
    make.administration("AZ")

    response = client.post("/api/v1/courses", json=NEW_COURSE, headers=trainer.headers)

    assert response.status_code == 201
    body = response.json
    assert body["status"] == "draft"
    assert body["languages"] == ["en", "ru"]
    assert body["topics"] == ["classification", "hs"]
    assert body["completion"] == {"lessons": "all", "quizzes": "none"}
    assert body["editing"]["owners"] == [
        {
            "id": trainer.id,
            "email": trainer.email,
            "full_name": body["editing"]["owners"][0]["full_name"],
        }
    ]
    assert body["editing"]["administrations"] == ["AZ"]
    assert body["editing"]["translations"]["ru"]["title"] == "Тарифная классификация"
    course = make.get(Course, body["id"])
    assert (course.slug, course.pass_mark, course.due_days) == ("tariff-classification", 75, 30)
    assert make.count(CourseOwner, course_id=body["id"], user_id=trainer.id) == 1
    assert make.count(AuditEvent, action="course.created") == 1


def test_an_admin_who_is_not_a_trainer_creates_a_course_without_owning_it(client, make):
    admin = make.user(Role.ADMIN, administration=None)
    make.administration("AZ")

    response = client.post("/api/v1/courses", json=NEW_COURSE, headers=admin.headers)

    assert response.status_code == 201
    assert response.json["editing"]["owners"] == []


def test_a_duplicate_slug_is_409_and_nothing_is_stored(client, make, courses):
    trainer = make.user(Role.TRAINER, administration=None)
    make.administration("AZ")
    client.post("/api/v1/courses", json=NEW_COURSE, headers=trainer.headers)

    again = client.post(
        "/api/v1/courses", json={**NEW_COURSE, "code": "OTHER"}, headers=trainer.headers
    )

    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"
    assert again.json["errors"] == {"slug": ["Taken."]}
    assert make.count(Course) == 1
    assert make.count(CourseTranslation) == 2


def test_invalid_course_input_is_422_and_nothing_is_stored(client, make):
    trainer = make.user(Role.TRAINER, administration=None)
    bad = {
        **NEW_COURSE,
        "slug": "Not A Slug",
        "default_language": "de",
        "pass_mark": 150,
        "topics": ["Bad Topic"],
        "translations": {"en": {"title": ""}, "xx": {"title": "X"}},
        "administrations": [],
    }

    response = client.post("/api/v1/courses", json=bad, headers=trainer.headers)

    assert response.status_code == 422
    assert {"slug", "default_language", "pass_mark", "topics", "translations"} <= set(
        response.json["errors"]
    )
    assert make.count(Course) == 0


def test_the_default_language_needs_a_text(client, make):
    trainer = make.user(Role.TRAINER, administration=None)

    missing = client.post(
        "/api/v1/courses",
        json={**NEW_COURSE, "administrations": [], "default_language": "fr"},
        headers=trainer.headers,
    )

    assert missing.status_code == 422
    assert "translations" in missing.json["errors"]
    assert make.count(Course) == 0


def test_owners_edit_texts_and_settings_and_remove_a_language(client, make, courses):
    trainer = make.user(Role.TRAINER, administration=None)
    course = courses.build(owners=[trainer], languages=["en", "ru"], status="draft")

    response = client.patch(
        f"/api/v1/courses/{course.id}",
        json={
            "code": "NEW-1",
            "pass_mark": 80,
            "due_days": None,
            "translations": {"en": {"title": "Renamed", "summary": "New."}, "ru": None},
        },
        headers=trainer.headers,
    )

    assert response.status_code == 200
    assert (response.json["code"], response.json["title"], response.json["pass_mark"]) == (
        "NEW-1",
        "Renamed",
        80,
    )
    assert response.json["languages"] == ["en"]
    assert make.count(CourseTranslation, course_id=course.id) == 1


def test_the_default_language_text_cannot_be_removed(client, make, courses):
    trainer = make.user(Role.TRAINER, administration=None)
    course = courses.build(owners=[trainer], languages=["en", "ru"])

    response = client.patch(
        f"/api/v1/courses/{course.id}", json={"translations": {"en": None}}, headers=trainer.headers
    )

    assert response.status_code == 422
    assert make.count(CourseTranslation, course_id=course.id) == 2


def test_changing_the_slug_to_a_taken_one_is_409(client, make, courses):
    trainer = make.user(Role.TRAINER, administration=None)
    first = courses.build(owners=[trainer])
    second = courses.build(owners=[trainer])

    response = client.patch(
        f"/api/v1/courses/{second.id}", json={"slug": first.slug}, headers=trainer.headers
    )

    assert response.status_code == 409
    assert make.get(Course, second.id).slug == second.slug


def test_co_owners_are_active_trainers_and_the_last_owner_stays(client, make, courses):
    owner = make.user(Role.TRAINER, administration=None)
    colleague = make.user(Role.TRAINER, administration=None)
    trainee = make.user(Role.TRAINEE)
    course = courses.build(owners=[owner], status="draft")
    owners = f"/api/v1/courses/{course.id}/owners"

    assert (
        client.patch(
            f"/api/v1/courses/{course.id}", json={"code": "X"}, headers=colleague.headers
        ).status_code
        == 404
    )
    added = client.post(owners, json={"user_id": colleague.id}, headers=owner.headers)
    refused = client.post(owners, json={"user_id": trainee.id}, headers=owner.headers)
    unknown = client.post(owners, json={"user_id": 99999}, headers=owner.headers)

    assert added.status_code == 200
    assert [o["id"] for o in added.json] == sorted([owner.id, colleague.id])
    assert refused.status_code == unknown.status_code == 422
    assert refused.json["errors"] == {"user_id": ["Not an active trainer."]}
    assert (
        client.patch(
            f"/api/v1/courses/{course.id}", json={"code": "X"}, headers=colleague.headers
        ).status_code
        == 200
    )

    assert client.delete(f"{owners}/{owner.id}", headers=colleague.headers).status_code == 204
    last = client.delete(f"{owners}/{colleague.id}", headers=colleague.headers)
    assert last.status_code == 409
    assert client.delete(f"{owners}/{trainee.id}", headers=colleague.headers).status_code == 404
    assert make.count(CourseOwner, course_id=course.id) == 1


def _incomplete_course(client, trainer):
    """A draft with one gap of every kind in its default language."""
    course = client.post(
        "/api/v1/courses",
        json={
            "slug": "incomplete",
            "code": "INC",
            "default_language": "en",
            "translations": {"en": {"title": "Incomplete"}, "ru": {"title": "Неполный"}},
        },
        headers=trainer.headers,
    ).json
    base = f"/api/v1/courses/{course['id']}"
    full = client.post(
        f"{base}/modules", json={"key": "full", "titles": {"ru": "Полный"}}, headers=trainer.headers
    ).json
    client.post(
        f"{base}/modules", json={"key": "empty", "titles": {"en": "Empty"}}, headers=trainer.headers
    )
    lessons = f"{base}/modules/{full['id']}/lessons"
    for key, kind in (("no-body", "text"), ("no-url", "link"), ("no-quiz", "quiz")):
        client.post(
            lessons,
            json={"key": key, "kind": kind, "translations": {"en": {"title": key}}},
            headers=trainer.headers,
        )
    client.post(
        lessons,
        json={
            "key": "russian-only",
            "kind": "text",
            "translations": {"ru": {"title": "Р", "body": "Т"}},
        },
        headers=trainer.headers,
    )
    return course["id"]


def test_publishing_an_incomplete_course_is_409_listing_every_gap(client, make):
    trainer = make.user(Role.TRAINER, administration=None)
    course_id = _incomplete_course(client, trainer)

    response = client.post(f"/api/v1/courses/{course_id}/publish", json={}, headers=trainer.headers)

    assert response.status_code == 409
    assert set(response.json["errors"]) == {
        "translations.en.summary",
        "modules.full.titles.en",
        "modules.empty.lessons",
        "lessons.no-body.translations.en.body",
        "lessons.no-url.translations.en.body",
        "lessons.no-url.url",
        "lessons.no-quiz.translations.en.body",
        "lessons.no-quiz.quiz",
        "lessons.russian-only.translations.en",
    }
    assert make.get(Course, course_id).status == "draft"


def test_a_course_without_lessons_cannot_be_published(client, make, courses):
    trainer = make.user(Role.TRAINER, administration=None)
    course = courses.build(owners=[trainer], status="draft", modules=0)

    response = client.post(f"/api/v1/courses/{course.id}/publish", json={}, headers=trainer.headers)

    assert response.status_code == 409
    assert response.json["errors"] == {"modules": ["The course has no lessons."]}


def test_publish_unpublish_and_archive_move_the_course_in_and_out_of_the_catalogue(
    app, client, make, courses
):
    trainer = make.user(Role.TRAINER, administration=None)
    trainee = make.user(Role.TRAINEE)
    course = courses.build(owners=[trainer], status="draft")
    base = f"/api/v1/courses/{course.id}"

    def catalogue_ids():
        return [c["id"] for c in client.get("/api/v1/courses", headers=trainee.headers).json]

    assert catalogue_ids() == []
    published = client.post(f"{base}/publish", json={}, headers=trainer.headers)
    assert published.status_code == 200
    assert published.json["status"] == "published"
    assert published.json["published_at"] is not None
    assert catalogue_ids() == [course.id]
    assert client.post(f"{base}/publish", json={}, headers=trainer.headers).status_code == 200

    assert (
        client.post(f"{base}/unpublish", json={}, headers=trainer.headers).json["status"] == "draft"
    )
    assert catalogue_ids() == []
    assert client.get(base, headers=trainee.headers).status_code == 404

    assert (
        client.post(f"{base}/archive", json={}, headers=trainer.headers).json["status"]
        == "archived"
    )
    assert catalogue_ids() == []
    actions = {event.action for event in stored(app, AuditEvent, object_id=str(course.id))}
    assert {"course.published", "course.unpublished", "course.archived"} <= actions
    assert make.count(Module, course_id=course.id) == 1
    assert make.count(Lesson, course_id=course.id) == 2
