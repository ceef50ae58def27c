"""Lesson content: Markdown stored as given, served as sanitized HTML in the caller's language."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from elearn.accounts.models import Role
from elearn.courses.models import LessonTranslation
from elearn.extensions import db

HOSTILE_MARKDOWN = """# Heading

<script>alert("inline")</script>

<img src="x" onerror="alert(1)">

<a href="#" onclick="steal()">click</a>

[run](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)
![pixel](data:image/png;base64,AAAA)

[fine](https://www.wcoomd.org/) ![chart](media/flowchart.png)

| a | b |
|---|---|
| 1 | 2 |
"""


class _Elements(HTMLParser):
    """Every element and attribute of an HTML fragment, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def parsed(html: str) -> _Elements:
    elements = _Elements()
    elements.feed(html)
    return elements


@pytest.fixture
def hostile_lesson(client, make, courses):
    trainer = make.user(Role.TRAINER, administration=None)
    course = courses.build(owners=[trainer], lessons=0)
    response = client.post(
        f"/api/v1/courses/{course.id}/modules/{course.module_ids[0]}/lessons",
        json={
            "key": "hostile",
            "kind": "text",
            "translations": {"en": {"title": "T", "body": HOSTILE_MARKDOWN}},
        },
        headers=trainer.headers,
    )
    assert response.status_code == 201
    return trainer, course, response.json["id"]


def test_markdown_is_stored_as_given_and_rendered_without_anything_that_runs(
    app, client, make, hostile_lesson
):
    _, course, lesson_id = hostile_lesson
    trainee = make.user(Role.TRAINEE)

    response = client.get(
        f"/api/v1/courses/{course.id}/lessons/{lesson_id}", headers=trainee.headers
    )

    assert response.status_code == 200
    html = response.json["html"]
    elements = parsed(html)
    assert "script" not in elements.tags
    assert not [name for name, _ in elements.attributes if name.startswith("on")]
    urls = [value.lower() for name, value in elements.attributes if name in {"href", "src"}]
    assert not [url for url in urls if url.startswith(("javascript:", "data:"))]
    assert "<script" not in html
    assert "&lt;script&gt;" in html  # raw HTML is shown as text, never passed through
    assert {"h1", "table", "a", "img"} <= set(elements.tags)
    assert ("href", "https://www.wcoomd.org/") in elements.attributes
    assert ("src", "media/flowchart.png") in elements.attributes
    with app.app_context():
        stored = db.session.scalar(
            select(LessonTranslation.body).where(LessonTranslation.lesson_id == lesson_id)
        )
    assert stored == HOSTILE_MARKDOWN
    assert response.json["translations"] is None


def test_editors_get_the_markdown_back(client, hostile_lesson):
    trainer, course, lesson_id = hostile_lesson

    response = client.get(
        f"/api/v1/courses/{course.id}/lessons/{lesson_id}", headers=trainer.headers
    )

    assert response.json["translations"]["en"]["body"] == HOSTILE_MARKDOWN


def test_a_lesson_is_served_in_the_requested_language_or_the_default(client, make, courses):
    trainee = make.user(Role.TRAINEE)
    course = courses.build(languages=["en", "ru"], lessons=1, body="Текст")
    url = f"/api/v1/courses/{course.id}/lessons/{course.lesson_ids[0][0]}"

    russian = client.get(url, headers={**trainee.headers, "Accept-Language": "ru"})
    french = client.get(f"{url}?lang=fr", headers=trainee.headers)

    assert (
        russian.json["language"],
        russian.json["title"],
        russian.headers["Content-Language"],
    ) == (
        "ru",
        "Lesson 1.1 (ru)",
        "ru",
    )
    assert russian.json["html"] == "<p>Текст</p>\n"
    assert (french.json["language"], french.headers["Content-Language"]) == ("en", "en")
