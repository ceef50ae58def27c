"""Media in content packages: which files a package may carry, and the media domain's part.

A media file is accepted when its extension names an accepted type (``elearn.filetypes``) and
its first bytes confirm it. Courses sit below media, so they cannot import it; the media domain
connects receivers to these signals instead:

- ``package_media_received`` (sender: the Course; ``package``, ``files``, ``actor``,
  ``progress``): sent once an import has written the outline. The receiver stores the media
  files and shows them in their lessons, or raises a DomainError that refuses the whole import.
- ``lesson_media_lookup`` (sender: the Course): sent while exporting. Each receiver returns
  ``{lesson id: LessonMediaFile}`` for the lessons that show a file.

With no receiver connected, an import keeps no media and an export writes none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from blinker import Namespace

from elearn import filetypes
from elearn.accounts.models import User
from elearn.courses.models import Course
from elearn.courses.packages.model import CoursePackage

# Wraps the package paths about to be stored, e.g. in a progress bar (``click.progressbar``).
MediaProgress = Callable[[Sequence[str]], AbstractContextManager[Iterable[str]]]

_signals = Namespace()
package_media_received = _signals.signal("courses.package-media-received")
lesson_media_lookup = _signals.signal("courses.lesson-media-lookup")


@dataclass(frozen=True)
class LessonMediaFile:
    """A lesson's media file for an export: its extension (``.mp4``) and bytes."""

    extension: str
    data: bytes


def media_problem(path: str, data: bytes) -> str | None:
    """Why ``data`` at ``path`` is not an accepted media file, or None when it is."""
    file_type = filetypes.by_extension(path)
    if file_type is None:
        accepted = ", ".join(sorted(filetypes.EXTENSIONS))
        return f"Media files are {accepted}; not {path.rpartition('/')[2]}."
    return filetypes.content_problem(file_type, data[: filetypes.SNIFF_BYTES])


def silently(paths: Sequence[str]) -> AbstractContextManager[Iterable[str]]:
    return nullcontext(paths)


def receive_media(
    course: Course,
    package: CoursePackage,
    files: Mapping[str, bytes],
    actor: User | None,
    progress: MediaProgress = silently,
) -> None:
    """Hand the package's media files to the media domain (which may refuse the import)."""
    package_media_received.send(
        course, package=package, files=files, actor=actor, progress=progress
    )


def lesson_media_files(course: Course) -> dict[int, LessonMediaFile]:
    """The media file of each lesson of ``course`` that shows one."""
    found: dict[int, LessonMediaFile] = {}
    for _receiver, answer in lesson_media_lookup.send(course):
        found.update(answer or {})
    return found
