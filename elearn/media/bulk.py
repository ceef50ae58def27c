"""A course's lesson media in bulk: files stored and shown in their lessons at once (a content
package import), and read back (an export).

Every file is checked before the first is stored: an accepted type confirmed by its first bytes,
within its size limit, and a kind of file its lesson can show. A file the course already holds
(same SHA-256 and type) is reused, so storing the same files again stores nothing. If storing
fails part way, the objects already stored are deleted and the whole call fails.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import select

from elearn import clock, filetypes
from elearn.accounts.models import User
from elearn.config import current_settings
from elearn.courses.models import Course, Lesson
from elearn.errors import Conflict, Invalid
from elearn.extensions import db
from elearn.infra.storage import new_object_key, storage
from elearn.media.models import MediaAsset, MediaStatus
from elearn.media.service import KEY_PREFIX, download_name, lesson_media_problem, size_limit

# Wraps the file names about to be stored, e.g. in a progress bar (``click.progressbar``).
StoringProgress = Callable[[Sequence[str]], AbstractContextManager[Iterable[str]]]


@dataclass(frozen=True)
class LessonMediaFile:
    """A lesson's media file for an export: its extension (``.mp4``) and bytes."""

    extension: str
    data: bytes


def silently(names: Sequence[str]) -> AbstractContextManager[Iterable[str]]:
    return nullcontext(names)


def file_problem(lesson_kind: str, name: str, data: bytes) -> str | None:
    """Why ``data`` named ``name`` cannot be the media file of a ``lesson_kind`` lesson, or None."""
    problem = filetypes.file_problem(name, data)
    if problem is not None:
        return problem
    file_type = _file_type(name)
    limit = size_limit(file_type)
    if len(data) > limit:
        return f"At most {limit} bytes for {file_type.content_type}; this file has {len(data)}."
    return lesson_media_problem(lesson_kind, file_type.kind)


def show_lesson_files(
    course: Course,
    shown: Mapping[str, str | None],
    files: Mapping[str, bytes],
    actor: User | None,
    progress: StoringProgress = silently,
) -> None:
    """Each lesson named in ``shown`` ({lesson key: file name, or None for no media}) shows that
    file of ``files``; 422 when a file does not suit its lesson, with nothing stored."""
    lessons = {
        lesson.key: lesson
        for lesson in db.session.scalars(select(Lesson).where(Lesson.course_id == course.id))
        if lesson.key in shown
    }
    errors = {
        name: [problem]
        for key, name in shown.items()
        if name is not None
        and (problem := file_problem(lessons[key].kind, name, files[name])) is not None
    }
    if errors:
        raise Invalid("A media file does not suit its lesson; nothing was stored.", errors=errors)
    names = {name for name in shown.values() if name is not None}
    assets = _held(course, names, files)
    assets.update(_stored(course, sorted(names - set(assets)), files, actor, progress))
    for key, lesson in lessons.items():
        name = shown[key]
        lesson.media_asset_id = assets[name].id if name is not None else None
    db.session.flush()


def _held(
    course: Course, names: Iterable[str], files: Mapping[str, bytes]
) -> dict[str, MediaAsset]:
    """The ready assets of ``course`` that already hold some of the files, by file name."""
    held = {
        (asset.sha256, asset.content_type): asset
        for asset in db.session.scalars(
            select(MediaAsset)
            .where(MediaAsset.course_id == course.id, MediaAsset.status == MediaStatus.READY)
            .order_by(MediaAsset.id)
        )
    }
    assets = {}
    for name in names:
        identity = (hashlib.sha256(files[name]).hexdigest(), _file_type(name).content_type)
        if identity in held:
            assets[name] = held[identity]
    return assets


def _file_type(name: str) -> filetypes.FileType:
    file_type = filetypes.by_extension(name)
    assert file_type is not None, "checked by file_problem"
    return file_type


def _stored(
    course: Course,
    names: list[str],
    files: Mapping[str, bytes],
    actor: User | None,
    progress: StoringProgress,
) -> dict[str, MediaAsset]:
    """A ready asset for each file, stored; nothing left stored if any store fails."""
    if not names:
        return {}
    store = storage()
    assets: dict[str, MediaAsset] = {}
    keys: list[str] = []
    try:
        with progress(names) as storing:
            for name in storing:
                file_type = _file_type(name)
                keys.append(new_object_key(KEY_PREFIX))
                stored = store.put(keys[-1], files[name], file_type.content_type)
                assets[name] = MediaAsset(
                    course_id=course.id,
                    kind=file_type.kind,
                    storage_key=stored.key,
                    filename=download_name(PurePosixPath(name).name, file_type),
                    content_type=file_type.content_type,
                    declared_size=stored.size,
                    size=stored.size,
                    sha256=stored.sha256,
                    status=MediaStatus.READY,
                    created_by_id=actor.id if actor is not None else None,
                    completed_at=clock.now(),
                )
                db.session.add(assets[name])
        db.session.flush()
    except BaseException:
        for key in keys:
            store.delete(key)
        raise
    return assets


def lesson_media_files(course: Course) -> dict[int, LessonMediaFile]:
    """The media file of each active lesson of ``course`` that shows one, read from storage;
    409 when together they are larger than a package may be."""
    shown = db.session.execute(
        select(Lesson.id, MediaAsset)
        .join(MediaAsset, Lesson.media_asset_id == MediaAsset.id)
        .where(Lesson.course_id == course.id, Lesson.archived_at.is_(None))
        .order_by(Lesson.id)
    ).all()
    total = sum(asset.size or 0 for _, asset in shown)
    limit = current_settings().package_max_uncompressed_bytes
    if total > limit:
        raise Conflict(
            f"The course's media files ({total} bytes) are larger than a package may be "
            f"({limit} bytes, ELEARN_PACKAGE_MAX_UNCOMPRESSED_BYTES)."
        )
    contents: dict[int, bytes] = {}
    files = {}
    for lesson_id, asset in shown:
        if asset.id not in contents:
            with storage().open(asset.storage_key) as reader:
                contents[asset.id] = reader.read()
        file_type = filetypes.by_content_type(asset.content_type)
        assert file_type is not None, "stored assets have accepted types"
        files[lesson_id] = LessonMediaFile(file_type.extension, contents[asset.id])
    return files
