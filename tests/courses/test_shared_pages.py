"""A course's detail and lessons as non-editors see them are read from Core rows: the same bytes
as the schemas make of the editors' read models, in every language and fallback, in a fixed
number of statements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import jsonify
from sqlalchemy import delete

from elearn import clock
from elearn.accounts.models import Role
from elearn.courses.models import Lesson, LessonTranslation, Module, QuizDefinition
from elearn.courses.queries import catalogue
from elearn.courses.queries import read_models as views
from elearn.courses.schemas import CourseDetailSchema, LessonContentSchema
from elearn.extensions import db

LANGUAGES = ("fr", "ru", "en", None)


@pytest.fixture
def trainee(make):
    return make.user(Role.TRAINEE, administration="AZ")


@pytest.fixture
def course(app, courses, make):
    """French by default, partly in Russian, with English texts on one lesson only; lessons of
    every kind, one without any text, one with a quiz, an archived lesson and module."""
    built = courses.build(
        owners=[make.user(Role.TRAINER, administration=None)],
        languages=("fr", "ru"),
        default_language="fr",
        topics=("tariffs", "origin-rules", "a-first"),
        modules=4,
        lessons=3,
        body="# Titre\n\nUn *texte* avec [un lien](https://example.org).",
    )
    first, second, third, _ = built.lesson_ids
    with app.app_context():
        lessons = {lesson.id: lesson for lesson in db.session.query(Lesson)}
        for lesson_id, kind in zip(first, ("video", "document", "link"), strict=True):
            lessons[lesson_id].kind = kind
        lessons[first[2]].url = "https://example.org/link"
        lessons[first[0]].minutes = None
        lessons[second[0]].required = False
        db.session.add(QuizDefinition(lesson_id=second[1], source="quiz", definition={}))
        db.session.execute(delete(LessonTranslation).where(LessonTranslation.lang == "ru"))
        db.session.execute(
            delete(LessonTranslation).where(LessonTranslation.lesson_id.in_(second[2:]))
        )
        db.session.add(LessonTranslation(lesson_id=third[0], lang="en", title="Only English"))
        db.session.add(
            LessonTranslation(lesson_id=third[1], lang="ru", title="Урок", body="**Жирный**")
        )
        lessons[third[2]].archived_at = clock.now()
        lessons[third[2]].position = None
        module = db.session.get_one(Module, built.module_ids[1])
        module.titles = {"fr": "Seulement en français"}
        archived = db.session.get_one(Module, built.module_ids[3])
        archived.archived_at = clock.now() - timedelta(days=1)
        archived.position = None
        db.session.add(Module(course_id=built.id, key="empty", position=4, titles={}))
        db.session.commit()
    return built


def _query(language):
    return f"?lang={language}" if language else ""


def _schema_detail(app, course_id, language):
    with app.test_request_context():
        course = catalogue.load_course(course_id, outline=True)
        view = views.course_detail(course, language, editor=False)
        return jsonify(CourseDetailSchema().dump(view)).get_data()


def _schema_lesson(app, course_id, lesson_id, language):
    with app.test_request_context():
        course = catalogue.load_course(course_id)
        lesson = catalogue.load_lesson(course, lesson_id)
        view = views.lesson_content(lesson, course, language, editor=False)
        return jsonify(LessonContentSchema().dump(view)).get_data()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_detail_is_what_the_schema_makes_of_the_course(app, client, course, trainee, language):
    response = client.get(f"/api/v1/courses/{course.id}{_query(language)}", headers=trainee.headers)

    assert response.status_code == 200
    assert response.get_data() == _schema_detail(app, course.id, language or "fr")
    body = response.get_json()
    assert body["topics"] == ["a-first", "origin-rules", "tariffs"]
    assert [module["key"] for module in body["modules"]] == [
        "module-1",
        "module-2",
        "module-3",
        "empty",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_lesson_is_what_the_schema_makes_of_it(app, client, course, trainee, language):
    for lesson_id in course.all_lesson_ids:
        path = f"/api/v1/courses/{course.id}/lessons/{lesson_id}{_query(language)}"
        response = client.get(path, headers=trainee.headers)

        assert response.status_code == 200
        assert response.get_data() == _schema_lesson(app, course.id, lesson_id, language or "fr")


def test_the_lesson_of_another_course_does_not_exist(client, courses, course, trainee):
    other = courses.build()
    path = f"/api/v1/courses/{other.id}/lessons/{course.lesson_ids[0][0]}"

    response = client.get(path, headers=trainee.headers)

    assert response.status_code == 404
    assert response.json["detail"] == "No such lesson."


@pytest.mark.parametrize(
    ("page", "statements"),
    [(0, 4), (1, 3)],
    ids=["detail: token, sighting, course, outline", "lesson: token, sighting, lesson"],
)
def test_a_page_not_cached_takes_a_fixed_number_of_statements(
    client, courses, trainee, queries, page, statements
):
    small = courses.build(modules=1, lessons=1)
    large = courses.build(modules=5, lessons=6, languages=("en", "ru"))
    client.get("/api/v1/me", headers=trainee.headers)  # the token's first use is recorded
    for built in (small, large):
        paths = (
            f"/api/v1/courses/{built.id}",
            f"/api/v1/courses/{built.id}/lessons/{built.lesson_ids[0][0]}",
        )
        queries.reset()
        assert client.get(paths[page], headers=trainee.headers).status_code == 200
        assert queries.count == statements, [s[:60] for s in queries.statements]
