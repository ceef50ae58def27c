"""Export writes the package format back; export → import → export is stable to the byte."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import yaml

from elearn.accounts.models import Role
from elearn.content.cli import content
from elearn.courses.models import Course, Lesson
from tests.content.builders import FIXTURES, fixture_package, folder_files
from tests.courses.builders import stored

COURSE_CONTENT = Path(__file__).resolve().parents[2] / "course_content"
SHIPPED_PACKAGES = sorted(p for p in COURSE_CONTENT.glob("*") if (p / "course.yaml").is_file())


@pytest.fixture
def trainer(make):
    return make.user(Role.TRAINER, administration=None)


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(content, [str(arg) for arg in args])


def export(client, person, course_id):
    response = client.get(f"/api/v1/courses/{course_id}/export", headers=person.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    return response


def unzipped(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_export_import_export_is_byte_for_byte_stable(client, upload, trainer, make):
    course_id = upload(trainer, fixture_package()).json["course_id"]

    first = export(client, trainer, course_id)
    upload(trainer, unzipped(first.data))
    second = export(client, trainer, course_id)

    assert first.data == second.data
    assert first.headers["Content-Disposition"] == (
        'attachment; filename="customs-valuation-transaction-value.zip"'
    )
    files = unzipped(first.data)
    assert sorted(files) == [
        "course.yaml",
        "en/agreement-text.md",
        "en/final-quiz.md",
        "en/introduction.md",
        "en/walkthrough.md",
        "media/walkthrough.mp4",
        "quizzes/final-quiz.yaml",
        "ru/agreement-text.md",
        "ru/final-quiz.md",
        "ru/introduction.md",
        "ru/walkthrough.md",
    ]
    original = fixture_package()
    assert files["quizzes/final-quiz.yaml"] == original["quizzes/final-quiz.yaml"]
    assert files["en/introduction.md"] == original["en/01-introduction.md"]
    assert files["media/walkthrough.mp4"] == original["media/walkthrough.mp4"]
    assert make.count(Course) == 1
    assert make.count(Lesson) == 4


def test_a_course_built_through_the_api_exports_and_reimports(
    client, upload, trainer, courses, make
):
    course = courses.build(owners=[trainer], languages=["en", "ru", "fr"], modules=2, lessons=2)

    first = export(client, trainer, course.id)
    reimported = upload(trainer, unzipped(first.data))

    assert reimported.json["lessons_kept"] == 4
    assert export(client, trainer, course.id).data == first.data


def test_an_incomplete_course_cannot_be_exported_and_says_why(client, trainer, courses):
    course = courses.build(owners=[trainer], languages=["en", "ru"], lessons=1)
    lesson_url = f"/api/v1/courses/{course.id}/lessons/{course.lesson_ids[0][0]}"
    client.patch(
        lesson_url, json={"kind": "link", "translations": {"ru": None}}, headers=trainer.headers
    )

    response = client.get(f"/api/v1/courses/{course.id}/export", headers=trainer.headers)

    assert response.status_code == 409
    assert response.json["errors"] == {
        "lessons.lesson-1-1.translations.ru": ["The lesson has no text in ru."],
        "lessons.lesson-1-1.url": ["A link lesson needs a URL."],
    }


def test_the_command_line_imports_a_folder_and_exports_it(app, cli, tmp_path, make):
    imported = cli("import", FIXTURES / "valuation", "--publish")

    assert imported.exit_code == 0, imported.output
    assert "Created course customs-valuation-transaction-value" in imported.output
    assert "published" in imported.output
    assert "Warning: quizzes/final-quiz.yaml: settings.review: Answers are shown" in imported.output
    assert make.count(Course, status="published") == 1

    first, second = tmp_path / "first", tmp_path / "second"
    assert cli("export", "customs-valuation-transaction-value", first).exit_code == 0
    again = cli("import", first)
    assert again.exit_code == 0, again.output
    assert "Updated course" in again.output
    (course,) = stored(app, Course)
    exported = cli("export", course.id, second)
    assert exported.exit_code == 0, exported.output
    assert "11 files" in exported.output
    assert folder_files(first) == folder_files(second)


def test_the_command_line_imports_a_zip(cli, tmp_path, make):
    archive = tmp_path / "package.zip"
    with zipfile.ZipFile(archive, "w") as package:
        for name, data in fixture_package().items():
            package.writestr(f"valuation/{name}", data)

    result = cli("import", archive)

    assert result.exit_code == 0, result.output
    assert make.count(Lesson) == 4


def test_the_command_line_names_every_problem_and_changes_nothing(cli, tmp_path, make):
    package = tmp_path / "broken"
    for name, data in fixture_package().items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_bytes(data)
    (package / "en" / "01-introduction.md").write_text("---\ntitle: ''\n---\nBody\n")
    (package / "ru" / "03-agreement.md").unlink()

    result = cli("import", package)

    assert result.exit_code == 1
    assert "en/01-introduction.md: title: May not be empty." in result.output
    assert "ru/03-agreement.md: Missing: the ru text of lesson 'agreement-text'" in result.output
    assert make.count(Course) == 0


def test_the_command_line_refuses_symlinks_and_non_empty_targets(cli, tmp_path, make, courses):
    package = tmp_path / "linked"
    package.mkdir()
    (package / "course.yaml").symlink_to("/etc/hostname")
    course = courses.build()
    target = tmp_path / "target"
    target.mkdir()
    (target / "keep.txt").write_text("mine")

    assert "Symlinks refused." in cli("import", package).output
    refused = cli("export", course.slug, target)
    assert refused.exit_code == 1
    assert "Export into a new or empty folder." in refused.output
    assert "No course with slug or id 'nope'" in cli("export", "nope", tmp_path / "x").output
    assert (target / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("package", SHIPPED_PACKAGES, ids=[p.name for p in SHIPPED_PACKAGES])
def test_shipped_course_content_round_trips(cli, tmp_path, package):
    assert cli("import", package).exit_code == 0
    slug = yaml.safe_load((package / "course.yaml").read_text())["slug"]
    first, second = tmp_path / "first", tmp_path / "second"
    assert cli("export", slug, first).exit_code == 0
    assert cli("import", first).exit_code == 0
    assert cli("export", slug, second).exit_code == 0
    assert folder_files(first) == folder_files(second)
