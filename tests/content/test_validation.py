"""A broken package is refused whole, every problem named by file and field; nothing stored."""

from __future__ import annotations

import pytest
import yaml

from elearn.accounts.models import Role
from elearn.courses.models import Course, Lesson, QuizDefinition
from tests.content.builders import fixture_package

QUIZ = "quizzes/final-quiz.yaml"


@pytest.fixture
def trainer(make):
    return make.user(Role.TRAINER, administration=None)


def with_yaml(path, change):
    def apply(files):
        document = yaml.safe_load(files[path])
        change(document)
        return {
            **files,
            path: yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode(),
        }

    return apply


def with_text(path, old, new):
    def apply(files):
        text = files[path].decode()
        assert old in text
        return {**files, path: text.replace(old, new, 1).encode()}

    return apply


def without(path):
    return lambda files: {name: data for name, data in files.items() if name != path}


def with_file(path, data):
    return lambda files: {**files, path: data}


def lesson(document, module, number):
    return document["modules"][module]["lessons"][number]


def question(number):
    return lambda document: document["questions"][number]


def set_in(getter, **values):
    return lambda document: getter(document).update(values)


BROKEN = {
    "missing language file": (
        without("ru/03-agreement.md"),
        {
            "ru/03-agreement.md": [
                "Missing: the ru text of lesson 'agreement-text' (modules[1].lessons[0].file)."
            ]
        },
    ),
    "lesson without title": (
        with_text("en/01-introduction.md", "title: Introduction", 'title: ""'),
        {"en/01-introduction.md: title": ["May not be empty."]},
    ),
    "lesson without front matter": (
        with_file("en/01-introduction.md", b"# No front matter\n"),
        {"en/01-introduction.md": ["A lesson file starts with front matter: a line '---'."]},
    ),
    "course.yaml syntax error": (
        with_text("course.yaml", "code: VAL-101", "code: [VAL-101"),
        {
            "course.yaml: line 5, column 17": [
                "YAML syntax error: expected ',' or ']', but got ':'."
            ]
        },
    ),
    "quiz syntax error": (
        with_text(QUIZ, "    points: 1\n", "    points: 1\n  bad indent: [\n"),
        {f"{QUIZ}: line 19, column 3": None},
    ),
    "front matter syntax error": (
        with_text("ru/02-walkthrough.md", 'title: "Разбор: пример"', "title: [oops"),
        {"ru/02-walkthrough.md: line 2, column 13": None},
    ),
    "yaml aliases": (
        with_text("course.yaml", "topics: [valuation, wto]", "topics: &t [valuation]\nx: *t"),
        {"course.yaml: line 8, column 4": ["YAML syntax error: aliases (*name) are not allowed."]},
    ),
    "not utf-8": (
        with_file("en/03-agreement.md", "---\ntitle: Accord\n---\nÉté".encode("latin-1")),
        {"en/03-agreement.md": ["Not UTF-8 text (byte 22)."]},
    ),
    "unknown and missing fields": (
        with_yaml("course.yaml", lambda d: (d.pop("code"), d.update(colour="blue"))),
        {"course.yaml: code": ["Required."], "course.yaml: colour": ["Unknown field."]},
    ),
    "language not configured": (
        with_yaml("course.yaml", lambda d: d.update(languages=["en", "ru", "de"])),
        {"course.yaml: languages[2]": ["Expected one of: en, ru, fr."]},
    ),
    "module title missing a language": (
        with_yaml("course.yaml", lambda d: d["modules"][0]["titles"].pop("ru")),
        {"course.yaml: modules[0].titles.ru": ["Missing the ru text."]},
    ),
    "duplicate lesson key": (
        with_yaml("course.yaml", lambda d: lesson(d, 1, 0).update(key="introduction")),
        {"course.yaml: modules[1].lessons[0].key": ["Duplicate lesson key 'introduction'."]},
    ),
    "lesson file escaping the package": (
        with_yaml("course.yaml", lambda d: lesson(d, 0, 0).update(file="../../etc/passwd.md")),
        {
            "course.yaml: modules[0].lessons[0].file": [
                "Paths may not contain '..' or '.' segments."
            ]
        },
    ),
    "absolute quiz path": (
        with_yaml("course.yaml", lambda d: lesson(d, 1, 1).update(quiz="/etc/quiz.yaml")),
        {
            "course.yaml: modules[1].lessons[1].quiz": [
                "/etc/quiz.yaml: Absolute paths are not allowed."
            ]
        },
    ),
    "reminder offsets out of order": (
        with_yaml("course.yaml", lambda d: d.update(reminder_offsets_days=[1, 7])),
        {
            "course.yaml: reminder_offsets_days": [
                "Offsets go from the earliest reminder to the last, e.g. [7, 1]."
            ]
        },
    ),
    "reminder offset longer than the course": (
        with_yaml("course.yaml", lambda d: d.update(reminder_offsets_days=[90, 1])),
        {
            "course.yaml: reminder_offsets_days": [
                "An offset must be shorter than the 60 days the trainee has."
            ]
        },
    ),
    "no idle period": (
        with_yaml("course.yaml", lambda d: d.update(idle_after_days=0)),
        {"course.yaml: idle_after_days": ["Expected at least 1 and at most 365."]},
    ),
    "missing media": (
        without("media/walkthrough.mp4"),
        {
            "course.yaml: modules[0].lessons[1].media": [
                "media/walkthrough.mp4: No such file in the package."
            ]
        },
    ),
    "media of a refused type": (
        with_yaml(
            "course.yaml",
            lambda d: lesson(d, 0, 1).update(
                media={"en": "media/a.svg", "ru": "media/walkthrough.mp4"}
            ),
        ),
        {
            "course.yaml: modules[0].lessons[1].media.en": [
                "media/a.svg: No such file in the package."
            ]
        },
    ),
    "media whose bytes lie": (
        with_file("media/walkthrough.mp4", b"<svg onload=alert(1)>"),
        {
            "course.yaml: modules[0].lessons[1].media": [
                "media/walkthrough.mp4: The content is not video/mp4: its type is not accepted."
            ]
        },
    ),
    "url on a text lesson": (
        with_yaml("course.yaml", lambda d: lesson(d, 0, 0).update(url="https://example.org")),
        {"course.yaml: modules[0].lessons[0].url": ["Only link lessons have a url."]},
    ),
    "single choice with two correct options": (
        with_yaml(QUIZ, lambda d: d["questions"][0]["options"][0].update(correct=True)),
        {
            f"{QUIZ}: questions[0].options": [
                "A single-choice question needs exactly one correct option, not 2."
            ]
        },
    ),
    "multiple choice without a correct option": (
        with_yaml(QUIZ, lambda d: [o.pop("correct", None) for o in d["questions"][1]["options"]]),
        {
            f"{QUIZ}: questions[1].options": [
                "A multiple-choice question needs at least one correct option."
            ]
        },
    ),
    "stem missing a language": (
        with_yaml(QUIZ, lambda d: d["questions"][2]["stem"].pop("ru")),
        {f"{QUIZ}: questions[2].stem.ru": ["Missing the ru text."]},
    ),
    "unknown question type": (
        with_yaml(QUIZ, set_in(question(2), type="essay")),
        {
            f"{QUIZ}: questions[2].type": [
                "Expected one of: single, multiple, true_false, numeric, short_text, "
                "matching, ordering."
            ]
        },
    ),
    "true_false answer not a boolean": (
        with_yaml(QUIZ, set_in(question(2), answer="no")),
        {f"{QUIZ}: questions[2].answer": ["Expected true or false."]},
    ),
    "numeric answer not finite": (
        with_yaml(QUIZ, set_in(question(3), answer=float("nan"))),
        {f"{QUIZ}: questions[3].answer": ["Expected a finite number."]},
    ),
    "numeric negative tolerance": (
        with_yaml(QUIZ, set_in(question(3), tolerance=-1)),
        {f"{QUIZ}: questions[3].tolerance": ["Expected at least 0.0."]},
    ),
    "short text missing a language": (
        with_yaml(QUIZ, lambda d: d["questions"][4]["accepted"].pop("ru")),
        {f"{QUIZ}: questions[4].accepted.ru": ["Required."]},
    ),
    "matching with one pair": (
        with_yaml(QUIZ, lambda d: d["questions"][5]["pairs"].pop()),
        {f"{QUIZ}: questions[5].pairs": ["Expected at least 2 items."]},
    ),
    "ordering item missing a language": (
        with_yaml(QUIZ, lambda d: d["questions"][6]["items"][1].pop("en")),
        {f"{QUIZ}: questions[6].items[1].en": ["Missing the en text."]},
    ),
    "draw more than the pool holds": (
        with_yaml(QUIZ, lambda d: d["settings"]["draw"][0].update(count=5)),
        {f"{QUIZ}: settings.draw[0].count": ["The pool 'rules' has 1 question(s), fewer than 5."]},
    ),
    "unknown grading": (
        with_yaml(QUIZ, lambda d: d["settings"].update(grading="best")),
        {f"{QUIZ}: settings.grading": ["Expected one of: highest, last, average, first."]},
    ),
    "unknown administration": (
        with_yaml("course.yaml", lambda d: d.update(administrations=["AZ", "ZZ"])),
        {"course.yaml: administrations[1]": ["No administration ZZ."]},
    ),
    "no course.yaml": (
        without("course.yaml"),
        {"course.yaml": ["Missing: a package has a course.yaml at its root."]},
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_package_is_422_naming_file_and_field_and_stores_nothing(
    upload, trainer, make, case
):
    make.administration("AZ")
    breaks, expected = BROKEN[case]

    response = upload(trainer, breaks(fixture_package()))

    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert "nothing was changed" in response.json["detail"]
    errors = response.json["errors"]
    for location, messages in expected.items():
        assert location in errors, errors
        if messages is not None:
            assert errors[location] == messages
    assert make.count(Course) == make.count(Lesson) == make.count(QuizDefinition) == 0


def test_every_problem_is_reported_at_once(upload, trainer):
    broken = with_yaml(QUIZ, set_in(question(3), tolerance=-1))(
        without("ru/03-agreement.md")(
            with_text("en/01-introduction.md", "title: Introduction", "title: 7")(fixture_package())
        )
    )

    response = upload(trainer, broken)

    assert set(response.json["errors"]) == {
        "en/01-introduction.md: title",
        "ru/03-agreement.md",
        f"{QUIZ}: questions[3].tolerance",
    }
    assert response.json["detail"] == "The package has 3 problems; nothing was changed."
