"""Modules and lessons: per-language content, dense positions, reordering, removal."""

from __future__ import annotations

import pytest

from elearn.accounts.models import Role
from elearn.courses.models import Lesson, LessonTranslation, Module


@pytest.fixture
def trainer(make):
    return make.user(Role.TRAINER, administration=None)


def positions(client, person, course_id, *, archived=False):
    outline = client.get(
        f"/api/v1/courses/{course_id}/modules?archived={str(archived).lower()}",
        headers=person.headers,
    ).json
    return [
        (
            module["key"],
            module["position"],
            [(lesson["key"], lesson["position"]) for lesson in module["lessons"]],
        )
        for module in outline["modules"]
    ]


def test_modules_and_lessons_are_appended_with_dense_positions(client, trainer, courses, make):
    course = courses.build(owners=[trainer], modules=0, status="draft")
    base = f"/api/v1/courses/{course.id}"

    first = client.post(
        f"{base}/modules",
        json={"key": "one", "titles": {"en": "One", "ru": "Один"}},
        headers=trainer.headers,
    )
    second = client.post(
        f"{base}/modules", json={"key": "two", "titles": {"en": "Two"}}, headers=trainer.headers
    )
    lesson = client.post(
        f"{base}/modules/{first.json['id']}/lessons",
        json={
            "key": "intro",
            "kind": "link",
            "minutes": 5,
            "required": False,
            "url": "https://www.wcoomd.org/",
            "translations": {
                "en": {"title": "Intro", "body": "Read **this**."},
                "ru": {"title": "Введение"},
            },
        },
        headers=trainer.headers,
    )

    assert (first.status_code, second.status_code, lesson.status_code) == (201, 201, 201)
    assert (first.json["position"], second.json["position"]) == (1, 2)
    assert lesson.json["position"] == 1
    assert lesson.json["translations"]["ru"] == {"title": "Введение", "body": ""}
    assert lesson.json["html"] == "<p>Read <strong>this</strong>.</p>\n"
    assert positions(client, trainer, course.id) == [("one", 1, [("intro", 1)]), ("two", 2, [])]
    assert make.count(LessonTranslation, lesson_id=lesson.json["id"]) == 2


def test_duplicate_keys_are_409_and_nothing_is_added(client, trainer, courses, make):
    course = courses.build(owners=[trainer], modules=1, lessons=1)
    base = f"/api/v1/courses/{course.id}"

    module = client.post(
        f"{base}/modules", json={"key": "module-1", "titles": {"en": "X"}}, headers=trainer.headers
    )
    lesson = client.post(
        f"{base}/modules/{course.module_ids[0]}/lessons",
        json={"key": "lesson-1-1", "kind": "text", "translations": {"en": {"title": "X"}}},
        headers=trainer.headers,
    )

    assert module.status_code == lesson.status_code == 409
    assert module.json["errors"] == lesson.json["errors"] == {"key": ["Taken."]}
    assert make.count(Module, course_id=course.id) == 1
    assert make.count(Lesson, course_id=course.id) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "link", "url": "javascript:alert(1)"}, "url"),
        ({"kind": "text", "url": "https://example.org"}, "url"),
        ({"kind": "podcast"}, "kind"),
        ({"kind": "text", "key": "Bad Key"}, "key"),
        ({"kind": "text", "translations": {"de": {"title": "X"}}}, "translations"),
        ({"kind": "text", "minutes": -1}, "minutes"),
    ],
)
def test_invalid_lessons_are_422_and_nothing_is_added(client, trainer, courses, make, body, field):
    course = courses.build(owners=[trainer], lessons=0)
    payload = {"key": "new", "translations": {"en": {"title": "New"}}, **body}

    response = client.post(
        f"/api/v1/courses/{course.id}/modules/{course.module_ids[0]}/lessons",
        json=payload,
        headers=trainer.headers,
    )

    assert response.status_code == 422
    assert field in response.json["errors"]
    assert make.count(Lesson, course_id=course.id) == 0


def test_reordering_takes_the_full_list_and_keeps_positions_dense(client, trainer, courses):
    course = courses.build(owners=[trainer], modules=3, lessons=3)
    base = f"/api/v1/courses/{course.id}"
    m1, m2, m3 = course.module_ids
    l1, l2, l3 = course.lesson_ids[0]

    modules = client.put(
        f"{base}/modules/order", json={"ids": [m3, m1, m2]}, headers=trainer.headers
    )
    lessons = client.put(
        f"{base}/modules/{m1}/lessons/order", json={"ids": [l3, l1, l2]}, headers=trainer.headers
    )

    assert modules.status_code == lessons.status_code == 200
    assert [m["key"] for m in modules.json["modules"]] == ["module-3", "module-1", "module-2"]
    assert [(item["id"], item["position"]) for item in lessons.json["lessons"]] == [
        (l3, 1),
        (l1, 2),
        (l2, 3),
    ]
    assert [p for _, p, _ in positions(client, trainer, course.id)] == [1, 2, 3]


@pytest.mark.parametrize(
    ("ids", "status"),
    [("missing", 409), ("unknown", 409), ("duplicate", 422), ("other-module", 409)],
)
def test_a_wrong_order_list_is_refused_and_changes_nothing(client, trainer, courses, ids, status):
    course = courses.build(owners=[trainer], modules=2, lessons=3)
    l1, l2, l3 = course.lesson_ids[0]
    lists = {
        "missing": [l1, l2],
        "unknown": [l1, l2, l3, 999999],
        "duplicate": [l1, l1, l2, l3],
        "other-module": [l1, l2, course.lesson_ids[1][0]],
    }
    before = positions(client, trainer, course.id)

    response = client.put(
        f"/api/v1/courses/{course.id}/modules/{course.module_ids[0]}/lessons/order",
        json={"ids": lists[ids]},
        headers=trainer.headers,
    )

    assert response.status_code == status
    assert "ids" in response.json["errors"]
    assert positions(client, trainer, course.id) == before


def test_deleting_a_lesson_closes_the_gap(client, trainer, courses, make):
    course = courses.build(owners=[trainer], lessons=3)
    l2 = course.lesson_ids[0][1]

    response = client.delete(f"/api/v1/courses/{course.id}/lessons/{l2}", headers=trainer.headers)

    assert response.status_code == 204
    assert positions(client, trainer, course.id) == [
        ("module-1", 1, [("lesson-1-1", 1), ("lesson-1-3", 2)])
    ]
    assert make.count(Lesson, course_id=course.id) == 2
    assert make.count(LessonTranslation, lesson_id=l2) == 0


def test_a_lesson_with_progress_is_archived_not_deleted(client, trainer, courses, make, progress):
    trainee = make.user(Role.TRAINEE)
    course = courses.build(owners=[trainer], lessons=3)
    l1, l2, l3 = course.lesson_ids[0]
    progress.add(l2)
    lesson_url = f"/api/v1/courses/{course.id}/lessons/{l2}"

    refused = client.delete(lesson_url, headers=trainer.headers)
    archived = client.post(f"{lesson_url}/archive", json={}, headers=trainer.headers)

    assert refused.status_code == 409
    assert "archive" in refused.json["detail"]
    assert archived.status_code == 200
    assert (archived.json["archived_at"] is not None, archived.json["position"]) == (True, None)
    assert positions(client, trainer, course.id) == [
        ("module-1", 1, [("lesson-1-1", 1), ("lesson-1-3", 2)])
    ]
    detail = client.get(f"/api/v1/courses/{course.id}", headers=trainee.headers).json
    assert [item["id"] for item in detail["modules"][0]["lessons"]] == [l1, l3]
    assert positions(client, trainer, course.id, archived=True)[0][2] == [
        ("lesson-1-1", 1),
        ("lesson-1-3", 2),
        ("lesson-1-2", None),
    ]
    assert client.get(lesson_url, headers=trainee.headers).status_code == 200
    assert make.count(Lesson, course_id=course.id) == 3


def test_modules_with_progress_are_archived_and_others_deleted(
    client, trainer, courses, make, progress
):
    course = courses.build(owners=[trainer], modules=3, lessons=2)
    m1, m2, _ = course.module_ids
    progress.add(course.lesson_ids[1][0])
    base = f"/api/v1/courses/{course.id}/modules"

    assert client.delete(f"{base}/{m2}", headers=trainer.headers).status_code == 409
    assert client.post(f"{base}/{m2}/archive", json={}, headers=trainer.headers).status_code == 200
    assert client.delete(f"{base}/{m1}", headers=trainer.headers).status_code == 204

    assert positions(client, trainer, course.id) == [
        ("module-3", 1, [("lesson-3-1", 1), ("lesson-3-2", 2)])
    ]
    assert make.count(Module, course_id=course.id) == 2
    assert make.count(Lesson, course_id=course.id) == 4
    assert make.get(Lesson, course.lesson_ids[1][1]).archived_at is not None


def test_a_lesson_moves_to_the_end_of_another_module(client, trainer, courses):
    course = courses.build(owners=[trainer], modules=2, lessons=2)
    moving = course.lesson_ids[0][0]

    response = client.patch(
        f"/api/v1/courses/{course.id}/lessons/{moving}",
        json={
            "module_id": course.module_ids[1],
            "translations": {"en": {"title": "Moved", "body": "B"}},
        },
        headers=trainer.headers,
    )

    assert response.status_code == 200
    assert (response.json["module_id"], response.json["position"], response.json["title"]) == (
        course.module_ids[1],
        3,
        "Moved",
    )
    assert positions(client, trainer, course.id) == [
        ("module-1", 1, [("lesson-1-2", 1)]),
        ("module-2", 2, [("lesson-2-1", 1), ("lesson-2-2", 2), ("lesson-1-1", 3)]),
    ]


def test_module_and_lesson_edits(client, trainer, courses, make):
    course = courses.build(owners=[trainer], languages=["en", "ru"], lessons=1)
    module_url = f"/api/v1/courses/{course.id}/modules/{course.module_ids[0]}"
    lesson_id = course.lesson_ids[0][0]

    module = client.patch(
        module_url,
        json={"key": "renamed", "titles": {"ru": None, "fr": "Bases"}},
        headers=trainer.headers,
    )
    lesson = client.patch(
        f"/api/v1/courses/{course.id}/lessons/{lesson_id}",
        json={"kind": "link", "url": "https://example.org/a", "translations": {"ru": None}},
        headers=trainer.headers,
    )
    text_again = client.patch(
        f"/api/v1/courses/{course.id}/lessons/{lesson_id}",
        json={"kind": "text"},
        headers=trainer.headers,
    )

    assert module.status_code == 200
    assert (module.json["key"], module.json["titles"]) == (
        "renamed",
        {"en": "Module 1 (en)", "fr": "Bases"},
    )
    assert lesson.json["url"] == "https://example.org/a"
    assert set(lesson.json["translations"]) == {"en"}
    assert text_again.json["url"] is None
    assert make.count(LessonTranslation, lesson_id=lesson_id) == 1


def test_only_editors_see_archived_items_and_markdown(client, trainer, courses, make):
    trainee = make.user(Role.TRAINEE)
    course = courses.build(owners=[trainer], lessons=1, body="**Bold**")
    lesson_url = f"/api/v1/courses/{course.id}/lessons/{course.lesson_ids[0][0]}"

    assert (
        client.get(
            f"/api/v1/courses/{course.id}/modules?archived=true", headers=trainee.headers
        ).status_code
        == 403
    )
    assert client.get(lesson_url, headers=trainee.headers).json["translations"] is None
    assert client.get(lesson_url, headers=trainer.headers).json["translations"] == {
        "en": {"title": "Lesson 1.1 (en)", "body": "**Bold**"}
    }


def test_another_courses_module_or_lesson_does_not_exist_here(client, trainer, courses):
    mine = courses.build(owners=[trainer])
    other = courses.build(owners=[trainer])

    assert (
        client.get(
            f"/api/v1/courses/{mine.id}/lessons/{other.lesson_ids[0][0]}", headers=trainer.headers
        ).status_code
        == 404
    )
    assert (
        client.patch(
            f"/api/v1/courses/{mine.id}/modules/{other.module_ids[0]}",
            json={"key": "x"},
            headers=trainer.headers,
        ).status_code
        == 404
    )
    assert (
        client.patch(
            f"/api/v1/courses/{mine.id}/lessons/{mine.lesson_ids[0][0]}",
            json={"module_id": other.module_ids[0]},
            headers=trainer.headers,
        ).status_code
        == 404
    )
