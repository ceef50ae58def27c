"""``elearn content``: import and export content packages from the command line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import click
from flask.cli import with_appcontext

from elearn.config import current_settings
from elearn.content import files
from elearn.content.files import PackageFiles, PackageLimits
from elearn.content.service import exporting, importing
from elearn.courses.models import Course
from elearn.courses.service import authoring
from elearn.errors import DomainError
from elearn.extensions import db
from elearn.uow import unit_of_work


@click.group()
def content() -> None:
    """Import and export course content packages (docs/content-format.md)."""


def _failure(error: DomainError) -> click.ClickException:
    lines = [error.detail]
    lines += [
        f"  {where}: {message}"
        for where, messages in (error.errors or {}).items()
        for message in messages
    ]
    return click.ClickException("\n".join(lines))


def _read(path: Path) -> PackageFiles:
    limits = PackageLimits.from_settings(current_settings())
    if path.is_file():
        with path.open("rb") as archive:
            return files.read_zip(archive, limits)
    names = files.folder_paths(path, limits)
    with click.progressbar(names, label=f"Reading {path.name}", item_show_func=lambda n: n) as bar:
        return files.read_folder(path, bar, limits)


def _uploading(paths: Sequence[str]) -> AbstractContextManager[Iterable[str]]:
    return click.progressbar(paths, label="Uploading media", item_show_func=lambda name: name)


@content.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--publish", is_flag=True, help="Publish the course once imported.")
@with_appcontext
def import_command(path: Path, publish: bool) -> None:
    """Create or update the course in PATH (a package folder or zip); all or nothing."""
    try:
        package_files = _read(path)
        with unit_of_work():
            result = importing.import_package(
                None, package_files, publish=publish, progress=_uploading
            )
    except DomainError as error:
        raise _failure(error) from None
    action = "Created" if result.created else "Updated"
    click.echo(
        f"{action} course {result.slug} (id {result.course_id}, {result.status}): "
        f"{result.lessons_created} lessons created, {result.lessons_kept} kept, "
        f"{result.lessons_archived} archived, {result.lessons_deleted} deleted."
    )
    for warning in result.warnings:
        click.echo(f"Warning: {warning}")


@content.command("export")
@click.argument("course")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(course: str, directory: Path) -> None:
    """Write COURSE (slug or id) as a package into DIRECTORY (new or empty)."""
    found = authoring.find_course_by_slug(course) or (
        db.session.get(Course, int(course)) if course.isdigit() else None
    )
    if found is None:
        raise click.ClickException(f"No course with slug or id {course!r}.")
    try:
        package_files = exporting.export_package(found)
        root = files.writable_folder(directory)
    except DomainError as error:
        raise _failure(error) from None
    items = sorted(package_files.items())
    with click.progressbar(items, label=f"Writing {found.slug}", item_show_func=_name) as bar:
        for name, data in bar:
            files.write_file(root, name, data)
    click.echo(f"Exported {found.slug} to {root} ({len(items)} files).")


def _name(item: tuple[str, bytes] | None) -> str | None:
    return item[0] if item else None
