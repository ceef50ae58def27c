"""Trainers editing quizzes: settings and questions, checked whole by the package validator."""

from __future__ import annotations

import copy
import io
import zipfile

import pytest

from elearn.accounts.models import Role
from elearn.formats.problems import Problems
from elearn.quizzes.format import read_quiz
from tests.content.builders import zip_of
from tests.quizzes.builders import (
    ALL_TYPES,
    MATCHING,
    NUMERIC,
    SHORT_TEXT,
    SINGLE,
    TRUE_FALSE,
    texts,
)

PROBLEM = "application/problem+json"


def quiz_url(quiz_id, *rest):
    return "/".join([f"/api/v1/quizzes/{quiz_id}", *rest])


def assert_stored_source_reads_back(quizzes, quiz_id):
    """The stored file is the canonical text of the stored definition."""
    stored = quizzes.definition(quiz_id)
    problems = Problems()
    definition = read_quiz("q.yaml", stored.source, ["en", "ru"], 70, problems)
    assert definition is not None, problems.found
    assert definition == stored.definition
    return stored


def test_editors_read_the_quiz_with_its_answer_keys(client, quizzes, trainer):
    quiz = quizzes.build(owners=(trainer,), max_attempts=3, review="score")

    response = client.get(quiz_url(quiz.quiz_id), headers=trainer.headers)

    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == quiz.quiz_id
    assert body["course_id"] == quiz.course_id
    assert body["languages"] == ["en", "ru"]
    assert body["settings"] == {
        "pass_mark": 70,
        "time_limit_minutes": None,
        "max_attempts": 3,
        "cooldown_minutes": 0,
        "shuffle_questions": False,
        "shuffle_options": False,
        "grading": "highest",
        "review": "score",
        "draw": [],
    }
    questions = {q["key"]: q for q in body["questions"]}
    assert [o["correct"] for o in questions["single-q"]["options"]] == [True, False, False]
    assert questions["numeric-q"]["answer"] == 4321.5
    assert questions["numeric-q"]["tolerance"] == 0.25
    assert questions["short-text-q"]["accepted"] == SHORT_TEXT["accepted"]
    assert questions["ordering-q"]["items"] == ORDER_ITEMS


ORDER_ITEMS = copy.deepcopy(ALL_TYPES[-1]["items"])


def test_settings_change_and_null_restores_the_default(client, quizzes, trainer):
    quiz = quizzes.build(owners=(trainer,), time_limit_minutes=30, pass_mark=80)

    response = client.patch(
        quiz_url(quiz.quiz_id, "settings"),
        json={
            "time_limit_minutes": None,
            "pass_mark": None,
            "max_attempts": 2,
            "cooldown_minutes": 15,
            "shuffle_questions": True,
            "shuffle_options": True,
            "grading": "average",
            "review": "after_close",
        },
        headers=trainer.headers,
    )

    assert response.status_code == 200, response.get_json()
    settings = response.get_json()["settings"]
    assert settings["time_limit_minutes"] is None
    assert settings["pass_mark"] == 70
    assert settings["max_attempts"] == 2
    assert settings["cooldown_minutes"] == 15
    assert settings["grading"] == "average"
    assert settings["review"] == "after_close"
    stored = assert_stored_source_reads_back(quizzes, quiz.quiz_id)
    assert stored.definition["settings"] == settings
    assert "time_limit_minutes" not in stored.source
    assert "max_attempts: 2\n" in stored.source


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"grading": "median"}, {"grading": ["Expected one of: highest, last, average, first."]}),
        ({"pass_mark": 101}, {"pass_mark": ["Expected at least 0 and at most 100."]}),
        ({"max_attempts": "two"}, {"max_attempts": ["Expected a whole number."]}),
        ({"colour": "blue"}, {"colour": ["Unknown field."]}),
        (
            {"draw": [{"pool": "nowhere", "count": 1}]},
            {"draw[0].count": ["The pool 'nowhere' has 0 question(s), fewer than 1."]},
        ),
    ],
)
def test_bad_settings_are_refused_naming_the_field_and_nothing_changes(
    client, quizzes, trainer, changes, errors
):
    quiz = quizzes.build(owners=(trainer,))
    before = quizzes.definition(quiz.quiz_id)

    response = client.patch(
        quiz_url(quiz.quiz_id, "settings"), json=changes, headers=trainer.headers
    )

    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.get_json()["errors"] == errors
    after = quizzes.definition(quiz.quiz_id)
    assert (after.source, after.definition) == (before.source, before.definition)


@pytest.mark.parametrize("question", ALL_TYPES, ids=lambda q: q["type"])
def test_each_question_type_can_be_added(client, quizzes, trainer, question):
    quiz = quizzes.build(owners=(trainer,), questions=[TRUE_FALSE])
    added = {**copy.deepcopy(question), "key": "added", "pool": "extra"}

    response = client.post(quiz_url(quiz.quiz_id, "questions"), json=added, headers=trainer.headers)

    assert response.status_code == 201, response.get_json()
    stored = response.get_json()["questions"][-1]
    assert stored["key"] == "added"
    assert stored["type"] == question["type"]
    assert stored["pool"] == "extra"
    assert stored["stem"] == question["stem"]
    assert_stored_source_reads_back(quizzes, quiz.quiz_id)


@pytest.mark.parametrize(
    ("question", "errors"),
    [
        (
            {**SINGLE, "options": [{**o, "correct": True} for o in SINGLE["options"]]},
            {"options": ["A single-choice question needs exactly one correct option, not 3."]},
        ),
        ({**NUMERIC, "stem": {"en": "Only English"}}, {"stem.ru": ["Missing the ru text."]}),
        ({**NUMERIC, "tolerance": -1}, {"tolerance": ["Expected at least 0.0."]}),
        ({**TRUE_FALSE, "answer": "no"}, {"answer": ["Expected true or false."]}),
        ({**SINGLE, "colour": "red"}, {"colour": ["Unknown field."]}),
        (
            {**SINGLE, "type": "essay"},
            {
                "type": [
                    "Expected one of: single, multiple, true_false, numeric, short_text, "
                    "matching, ordering."
                ],
                "options": ["Unknown field."],
            },
        ),
        (
            {**MATCHING, "pairs": MATCHING["pairs"][:1]},
            {"pairs": ["Expected at least 2 items."]},
        ),
        ({**SHORT_TEXT, "accepted": {"en": ["x"]}}, {"accepted.ru": ["Required."]}),
        (
            {**SINGLE, "key": "Bad Key"},
            {"key": ["Keys are lower-case a-z, 0-9 and -, at most 80 characters."]},
        ),
    ],
)
def test_a_bad_question_is_refused_naming_its_fields_and_nothing_changes(
    client, quizzes, trainer, question, errors
):
    quiz = quizzes.build(owners=(trainer,), questions=[TRUE_FALSE])
    before = quizzes.definition(quiz.quiz_id)
    question = {**question, "key": question["key"] if question["key"] == "Bad Key" else "new-q"}

    response = client.post(
        quiz_url(quiz.quiz_id, "questions"), json=question, headers=trainer.headers
    )

    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.get_json()["errors"] == errors
    after = quizzes.definition(quiz.quiz_id)
    assert (after.source, after.definition) == (before.source, before.definition)


def test_a_question_key_is_unique_in_the_quiz(client, quizzes, trainer):
    quiz = quizzes.build(owners=(trainer,), questions=[TRUE_FALSE, NUMERIC])

    added = client.post(quiz_url(quiz.quiz_id, "questions"), json=NUMERIC, headers=trainer.headers)
    renamed = client.put(
        quiz_url(quiz.quiz_id, "questions", "numeric-q"),
        json={**NUMERIC, "key": "true-false-q"},
        headers=trainer.headers,
    )

    assert added.status_code == 409
    assert renamed.status_code == 409
    assert [q["key"] for q in quizzes.definition(quiz.quiz_id).definition["questions"]] == [
        "true-false-q",
        "numeric-q",
    ]


def test_replacing_a_question_keeps_its_place_and_may_rename_it(client, quizzes, trainer):
    quiz = quizzes.build(owners=(trainer,), questions=[SINGLE, TRUE_FALSE, NUMERIC])
    replacement = {
        **SINGLE,
        "key": "single-renamed",
        "points": 3,
        "options": [
            {"key": "yes", "text": texts("Yes")},
            {"key": "no", "text": texts("No"), "correct": True},
        ],
    }

    response = client.put(
        quiz_url(quiz.quiz_id, "questions", "single-q"), json=replacement, headers=trainer.headers
    )

    assert response.status_code == 200, response.get_json()
    questions = response.get_json()["questions"]
    assert [q["key"] for q in questions] == ["single-renamed", "true-false-q", "numeric-q"]
    assert questions[0]["points"] == 3
    assert [o["key"] for o in questions[0]["options"] if o["correct"]] == ["no"]
    missing = client.put(
        quiz_url(quiz.quiz_id, "questions", "single-q"), json=replacement, headers=trainer.headers
    )
    assert missing.status_code == 404


def test_a_bad_replacement_names_its_fields_relative_to_the_question(client, quizzes, trainer):
    quiz = quizzes.build(owners=(trainer,), questions=[SINGLE, TRUE_FALSE])
    broken = copy.deepcopy(SINGLE)
    broken["options"][1]["text"] = {"en": "No Russian"}

    response = client.put(
        quiz_url(quiz.quiz_id, "questions", "single-q"), json=broken, headers=trainer.headers
    )

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"options[1].text.ru": ["Missing the ru text."]}


def test_deleting_questions_keeps_the_quiz_whole(client, quizzes, trainer):
    pooled = [{**copy.deepcopy(q), "pool": "core"} for q in (SINGLE, TRUE_FALSE)]
    quiz = quizzes.build(
        owners=(trainer,), questions=[*pooled, NUMERIC], draw=[{"pool": "core", "count": 2}]
    )

    below_draw = client.delete(
        quiz_url(quiz.quiz_id, "questions", "single-q"), headers=trainer.headers
    )
    removed = client.delete(
        quiz_url(quiz.quiz_id, "questions", "numeric-q"), headers=trainer.headers
    )
    unknown = client.delete(
        quiz_url(quiz.quiz_id, "questions", "numeric-q"), headers=trainer.headers
    )

    assert below_draw.status_code == 422
    assert below_draw.get_json()["errors"] == {
        "settings.draw[0].count": ["The pool 'core' has 1 question(s), fewer than 2."]
    }
    assert removed.status_code == 204
    assert unknown.status_code == 404
    assert [q["key"] for q in quizzes.definition(quiz.quiz_id).definition["questions"]] == [
        "single-q",
        "true-false-q",
    ]


def test_the_last_question_cannot_be_deleted(client, quizzes, trainer):
    quiz = quizzes.build(owners=(trainer,), questions=[TRUE_FALSE])

    response = client.delete(
        quiz_url(quiz.quiz_id, "questions", "true-false-q"), headers=trainer.headers
    )

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"_schema": ["Expected at least 1 item."]}
    assert len(quizzes.definition(quiz.quiz_id).definition["questions"]) == 1


def test_a_quiz_lesson_made_through_the_api_gets_its_quiz_from_its_first_question(
    client, quizzes, trainer, make
):
    quiz = quizzes.build(owners=(trainer,))
    module_id = quizzes.module_id(quiz.quiz_id)
    lesson = client.post(
        f"/api/v1/courses/{quiz.course_id}/modules/{module_id}/lessons",
        json={
            "key": "mid-quiz",
            "kind": "quiz",
            "translations": {"en": {"title": "Check"}, "ru": {"title": "Проверка"}},
        },
        headers=trainer.headers,
    ).get_json()

    empty = client.get(quiz_url(lesson["id"]), headers=trainer.headers).get_json()
    added = client.post(quiz_url(lesson["id"], "questions"), json=NUMERIC, headers=trainer.headers)

    assert empty["questions"] == []
    assert empty["settings"]["pass_mark"] == 70
    assert empty["updated_at"] is None
    assert added.status_code == 201
    assert [q["key"] for q in added.get_json()["questions"]] == ["numeric-q"]
    assert_stored_source_reads_back(quizzes, lesson["id"])


def test_an_edited_quiz_exports_as_its_file_and_reimports_unchanged(client, quizzes, trainer):
    quiz = quizzes.build(owners=(trainer,))
    client.patch(
        quiz_url(quiz.quiz_id, "settings"), json={"max_attempts": 4}, headers=trainer.headers
    )
    client.put(
        quiz_url(quiz.quiz_id, "questions", "numeric-q"),
        json={**NUMERIC, "answer": 17.25, "tolerance": 0},
        headers=trainer.headers,
    )
    stored = quizzes.definition(quiz.quiz_id)

    exported = client.get(f"/api/v1/courses/{quiz.course_id}/export", headers=trainer.headers)
    assert exported.status_code == 200, exported.get_data(as_text=True)
    files = dict(_unzip(exported.data))
    assert files["quizzes/final-quiz.yaml"].decode() == stored.source
    imported = client.post(
        "/api/v1/courses/import",
        data={"package": (io.BytesIO(zip_of(files)), "package.zip")},
        headers={"X-Requested-With": "test", **trainer.headers},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 200, imported.get_json()
    again = quizzes.definition(quiz.quiz_id)
    assert (again.source, again.definition) == (stored.source, stored.definition)
    reexported = client.get(f"/api/v1/courses/{quiz.course_id}/export", headers=trainer.headers)
    assert dict(_unzip(reexported.data)) == files


def _unzip(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            yield name, archive.read(name)


def test_others_cannot_read_or_edit_a_quiz(client, quizzes, trainer, make):
    quiz = quizzes.build(owners=(trainer,))
    draft = quizzes.build(owners=(trainer,), status="draft")
    other_trainer = make.user(Role.TRAINER, administration=None)
    before = quizzes.definition(quiz.quiz_id)

    assert client.get(quiz_url(quiz.quiz_id), headers=other_trainer.headers).status_code == 403
    assert client.get(quiz_url(draft.quiz_id), headers=other_trainer.headers).status_code == 404
    assert client.get(quiz_url(quiz.text_lesson_id), headers=trainer.headers).status_code == 404
    response = client.post(
        quiz_url(quiz.quiz_id, "questions"), json=NUMERIC, headers=other_trainer.headers
    )
    assert response.status_code == 403
    assert quizzes.definition(quiz.quiz_id).source == before.source


def test_nan_and_infinity_are_refused_as_json_has_no_such_numbers(client, quizzes, trainer):
    quiz = quizzes.build(owners=(trainer,))
    before = quizzes.definition(quiz.quiz_id)
    body = (
        '{"key": "numeric-q", "type": "numeric", "answer": NaN, "tolerance": Infinity,'
        ' "stem": {"en": "Freight?", "ru": "Фрахт?"}}'
    )

    response = client.put(
        quiz_url(quiz.quiz_id, "questions", "numeric-q"),
        data=body,
        content_type="application/json",
        headers=trainer.headers,
    )

    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "answer": ["Expected a finite number."],
        "tolerance": ["Expected a finite number."],
    }
    assert quizzes.definition(quiz.quiz_id).source == before.source
