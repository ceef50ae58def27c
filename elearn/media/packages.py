"""The media files of content packages: stored and shown in their lessons on import, read back
on export (docs/content-format.md).

An import checks every media file before it stores the first: an accepted type confirmed by its
first bytes, within its size limit, and a kind of file its lesson can show. A file the course
already holds (same SHA-256 and type) is reused, so importing a package again stores nothing. If
storing fails part way, the objects already stored are deleted and the import fails whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import PurePosixPath

from sqlalchemy import select

from elearn import clock, filetypes
from elearn.accounts.models import User
from elearn.config import current_settings
from elearn.courses.models import Course, Lesson
from elearn.courses.packages.media import (
    LessonMediaFile,
    MediaProgress,
    lesson_media_lookup,
    media_problem,
    package_media_received,
)
from elearn.courses.packages.model import CoursePackage, LessonSpec
from elearn.courses.packages.problems import Problems
from elearn.courses.packages.reader import COURSE_FILE
from elearn.errors import Conflict
from elearn.extensions import db
from elearn.infra.storage import new_object_key, storage
from elearn.media.models import MediaAsset, MediaStatus
from elearn.media.service import KEY_PREFIX, download_name, lesson_media_problem, size_limit

ONE_FILE_PER_LESSON = (
    "A lesson has one media file for all its languages; per-language files are not supported."
)


def store_package_media(
    course: Course,
    *,
    package: CoursePackage,
    files: Mapping[str, bytes],
    actor: User | None,
    progress: MediaProgress,
) -> None:
    """Show each lesson's media file of the package in that lesson (none when the package gives
    none); 422 naming each file and field that is refused, with nothing stored."""
    wanted = _checked_media(package, files)
    held = {
        (asset.sha256, asset.content_type): asset
        for asset in db.session.scalars(
            select(MediaAsset)
            .where(MediaAsset.course_id == course.id, MediaAsset.status == MediaStatus.READY)
            .order_by(MediaAsset.id)
        )
    }
    assets: dict[str, MediaAsset] = {}
    for path in set(wanted.values()):
        identity = (hashlib.sha256(files[path]).hexdigest(), _file_type(path).content_type)
        if identity in held:
            assets[path] = held[identity]
    missing = sorted(set(wanted.values()) - set(assets))
    assets.update(_stored(course, missing, files, actor, progress))
    lessons = db.session.scalars(select(Lesson).where(Lesson.course_id == course.id))
    keys = {spec.key for module in package.modules for spec in module.lessons}
    for lesson in lessons:
        if lesson.key in keys:
            shown = assets.get(wanted.get(lesson.key, ""))
            lesson.media_asset_id = shown.id if shown else None
    db.session.flush()


def _checked_media(package: CoursePackage, files: Mapping[str, bytes]) -> dict[str, str]:
    """The media file of each lesson that has one ({lesson key: path}); 422 for any problem."""
    problems = Problems()
    wanted = {}
    for module_number, module in enumerate(package.modules):
        for lesson_number, spec in enumerate(module.lessons):
            where = f"modules[{module_number}].lessons[{lesson_number}].media"
            paths = set(spec.media.values())
            if len(paths) > 1:
                problems.add(COURSE_FILE, where, ONE_FILE_PER_LESSON)
            elif paths:
                path = paths.pop()
                problem = _file_problem(spec, path, files[path])
                if problem is None:
                    wanted[spec.key] = path
                else:
                    problems.add(COURSE_FILE, where, f"{path}: {problem}")
    problems.raise_if_any()
    return wanted


def _file_problem(spec: LessonSpec, path: str, data: bytes) -> str | None:
    problem = media_problem(path, data)
    if problem is not None:
        return problem
    file_type = _file_type(path)
    limit = size_limit(file_type)
    if len(data) > limit:
        return f"At most {limit} bytes for {file_type.content_type}; this file has {len(data)}."
    return lesson_media_problem(spec.kind, file_type.kind)


def _file_type(path: str) -> filetypes.FileType:
    file_type = filetypes.by_extension(path)
    assert file_type is not None, "checked by media_problem"
    return file_type


def _stored(
    course: Course,
    paths: list[str],
    files: Mapping[str, bytes],
    actor: User | None,
    progress: MediaProgress,
) -> dict[str, MediaAsset]:
    """A ready asset for each path, its file stored; nothing left stored if any store fails."""
    if not paths:
        return {}
    store = storage()
    assets: dict[str, MediaAsset] = {}
    keys: list[str] = []
    try:
        with progress(paths) as storing:
            for path in storing:
                file_type = _file_type(path)
                keys.append(new_object_key(KEY_PREFIX))
                stored = store.put(keys[-1], files[path], file_type.content_type)
                assets[path] = MediaAsset(
                    course_id=course.id,
                    kind=file_type.kind,
                    storage_key=stored.key,
                    filename=download_name(PurePosixPath(path).name, file_type),
                    content_type=file_type.content_type,
                    declared_size=stored.size,
                    size=stored.size,
                    sha256=stored.sha256,
                    status=MediaStatus.READY,
                    created_by_id=actor.id if actor is not None else None,
                    completed_at=clock.now(),
                )
                db.session.add(assets[path])
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


def connect() -> None:
    """Take part in package import and export (idempotent: one connection per receiver)."""
    package_media_received.connect(store_package_media, weak=False)
    lesson_media_lookup.connect(lesson_media_files, weak=False)
