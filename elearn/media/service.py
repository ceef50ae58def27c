"""Media assets: presigned uploads, their verdict, downloads, lesson media and stale uploads.

An upload is a row first (pending, under a random storage key) and a presigned form POST second,
whose size limit (the declared size) and content type the storage server enforces. Completing it
reads the object back: it must exist, have the declared size (and SHA-256, when the client gives
one) and start with the signature of its declared type. Otherwise the object is deleted and the
asset rejected, with the reason.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath

from sqlalchemy import exists, select

from elearn import clock, filetypes, uow
from elearn.accounts.models import User
from elearn.config import current_settings
from elearn.courses.models import Course, Lesson, LessonKind
from elearn.database import locked
from elearn.errors import Conflict, Invalid, NotFound
from elearn.extensions import db
from elearn.filetypes import FileType, MediaKind
from elearn.infra.storage import CHUNK_SIZE, ObjectNotFound, PresignedUpload, storage
from elearn.infra.storage import new_object_key as make_key
from elearn.media.models import MediaAsset, MediaStatus
from elearn.pagination import Page, PageRequest, fetch_page

log = logging.getLogger(__name__)

KEY_PREFIX = "media"
UPLOAD_TTL = timedelta(minutes=30)
DOWNLOAD_TTL = timedelta(minutes=5)
FILENAME_MAX = 255
STALE_BATCH = 500
LESSON_MEDIA: dict[str, frozenset[MediaKind]] = {
    LessonKind.VIDEO: frozenset({MediaKind.VIDEO, MediaKind.AUDIO}),
    LessonKind.DOCUMENT: frozenset({MediaKind.DOCUMENT, MediaKind.IMAGE}),
}


@dataclass(frozen=True)
class NewUpload:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class StartedUpload:
    asset: MediaAsset
    upload: PresignedUpload


@dataclass(frozen=True)
class Verdict:
    """A completed upload: ready, or rejected for ``rejection``."""

    asset: MediaAsset
    rejection: str | None


@dataclass(frozen=True)
class AssetFilter:
    status: MediaStatus | None = None
    kind: MediaKind | None = None


@dataclass(frozen=True)
class LessonMedia:
    lesson_id: int
    media: MediaAsset | None


# checks shared by uploads and packages


def size_limit(file_type: FileType) -> int:
    settings = current_settings()
    if file_type.kind is MediaKind.VIDEO:
        return settings.media_max_video_bytes
    return settings.media_max_other_bytes


def accepted_type(content_type: str, size: int) -> FileType:
    """The accepted type ``content_type`` names, if ``size`` is within its limit; 422 if not."""
    file_type = filetypes.by_content_type(content_type)
    if file_type is None:
        raise Invalid(
            "This type of file is not accepted.",
            errors={"content_type": [f"Accepted types: {', '.join(filetypes.CONTENT_TYPES)}."]},
        )
    limit = size_limit(file_type)
    if size > limit:
        raise Invalid(
            "The file is too large.",
            errors={"size": [f"At most {limit} bytes for {content_type}."]},
        )
    return file_type


def download_name(filename: str, file_type: FileType) -> str:
    """A safe file name for downloads: no folders, control or direction characters, leading
    dots, or an extension other than the type's (a PDF is never saved as ``.html``)."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rpartition("/")[2]
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C"))
    name = " ".join(name.split()).lstrip(". ")
    suffix = PurePosixPath(name).suffix
    if suffix.lower() in file_type.extensions:
        stem = name[: -len(suffix)]
    else:
        stem, suffix = name, file_type.extension
    return (stem[: FILENAME_MAX - len(suffix)].rstrip() or "media") + suffix


def lesson_media_problem(lesson_kind: str, media_kind: str) -> str | None:
    """Why a lesson of ``lesson_kind`` cannot show media of ``media_kind``, or None."""
    accepted = LESSON_MEDIA.get(lesson_kind)
    if accepted is None:
        return "Only video and document lessons have media."
    if media_kind not in accepted:
        return f"A {lesson_kind} lesson shows {' or '.join(sorted(accepted))} files."
    return None


# uploads


def find_asset(asset_id: int) -> MediaAsset:
    asset = db.session.get(MediaAsset, asset_id)
    if asset is None:
        raise NotFound("No such media asset.")
    return asset


def start_upload(actor: User, course: Course, new: NewUpload) -> StartedUpload:
    """A pending asset of ``course`` under a fresh random key, and the presigned form POST that
    the storage server accepts only for exactly the declared type and at most the declared size."""
    file_type = accepted_type(new.content_type, new.size)
    asset = MediaAsset(
        course_id=course.id,
        kind=file_type.kind,
        storage_key=make_key(KEY_PREFIX),
        filename=download_name(new.filename, file_type),
        content_type=file_type.content_type,
        declared_size=new.size,
        created_by_id=actor.id,
    )
    db.session.add(asset)
    db.session.flush()
    upload = storage().presigned_upload(
        asset.storage_key, new.size, file_type.content_type, UPLOAD_TTL
    )
    return StartedUpload(asset, upload)


def complete_upload(asset: MediaAsset, sha256: str | None) -> Verdict:
    """Ready if the stored object is what was declared; else the object is deleted and the asset
    rejected, for good. Completing an asset again gives the same verdict and changes nothing."""
    locked(select(MediaAsset).where(MediaAsset.id == asset.id))
    if asset.status != MediaStatus.PENDING:
        return Verdict(asset, asset.rejection)
    checked = _check_a_private_copy(asset, sha256)
    asset.completed_at = clock.now()
    if isinstance(checked, str):
        storage().delete(asset.storage_key)
        asset.status, asset.rejection = MediaStatus.REJECTED, checked
        # The object is gone whatever the answer: the rejection must be stored with the 422.
        uow.current().keep_when_refused()
        log.info("media asset %s rejected: %s", asset.id, checked)
    else:
        asset.status = MediaStatus.READY
        asset.size, asset.sha256 = checked
    db.session.flush()
    return Verdict(asset, asset.rejection)


def _check_a_private_copy(asset: MediaAsset, sha256: str | None) -> tuple[int, str] | str:
    """Move the upload to a key no presigned form names, then check that copy.

    The form stays valid until it expires, so the upload key can be written again after the
    check; what is checked, and later served, must be an object nobody else can write.
    """
    store = storage()
    upload_key, kept_key = asset.storage_key, make_key(KEY_PREFIX)
    try:
        store.copy(upload_key, kept_key)
    except ObjectNotFound:
        return "Nothing was uploaded."
    store.delete(upload_key)
    asset.storage_key = kept_key
    return _inspect(asset, sha256)


def _inspect(asset: MediaAsset, sha256: str | None) -> tuple[int, str] | str:
    """(size, SHA-256) of the stored object, or why it is not what was declared."""
    store = storage()
    try:
        info = store.head(asset.storage_key)
    except ObjectNotFound:
        return "Nothing was uploaded."
    if info.size != asset.declared_size:
        return f"The upload has {info.size} bytes; {asset.declared_size} were declared."
    if info.content_type != asset.content_type:
        return f"The upload was stored as {info.content_type}, not {asset.content_type}."
    # A form upload has no SHA-256 on record (S3 keeps none), so the bytes are read back.
    digest, size = hashlib.sha256(), 0
    with store.open(asset.storage_key) as reader:
        head = reader.read(filetypes.SNIFF_BYTES)
        chunk = head
        while chunk:
            digest.update(chunk)
            size += len(chunk)
            chunk = reader.read(CHUNK_SIZE)
    file_type = filetypes.by_content_type(asset.content_type)
    assert file_type is not None, "only accepted types are uploaded"
    problem = filetypes.content_problem(file_type, head)
    if problem is not None:
        return problem
    if size != asset.declared_size:
        return "The upload changed while it was being checked."
    if sha256 is not None and sha256 != digest.hexdigest():
        return "The SHA-256 of the upload is not the one given."
    return size, digest.hexdigest()


# downloads


def shown_in_a_lesson(asset: MediaAsset) -> bool:
    """Whether some lesson (archived ones included: trainees' history) shows the asset."""
    return bool(db.session.scalar(select(exists().where(Lesson.media_asset_id == asset.id))))


def download_url(asset: MediaAsset) -> str:
    """A short-lived URL answering with the asset's file name and stored content type."""
    if asset.status != MediaStatus.READY:
        raise Conflict("The upload of this media asset is not complete.")
    return storage().presigned_download(
        asset.storage_key, DOWNLOAD_TTL, asset.filename, asset.content_type
    )


# lists


def list_assets(course: Course, criteria: AssetFilter, page: PageRequest) -> Page[MediaAsset]:
    """The course's assets, newest first."""
    statement = (
        select(MediaAsset).where(MediaAsset.course_id == course.id).order_by(MediaAsset.id.desc())
    )
    if criteria.status is not None:
        statement = statement.where(MediaAsset.status == criteria.status)
    if criteria.kind is not None:
        statement = statement.where(MediaAsset.kind == criteria.kind)
    return fetch_page(statement, page)


# lessons


def attach_media(lesson: Lesson, asset_id: int | None) -> LessonMedia:
    """Show a ready asset of the lesson's own course in a video or document lesson (None: no
    media); 422 and nothing changed otherwise."""
    if asset_id is None:
        lesson.media_asset_id = None
        db.session.flush()
        return LessonMedia(lesson.id, None)
    asset = db.session.get(MediaAsset, asset_id)
    if asset is None or asset.course_id != lesson.course_id:
        raise _unshowable("Not a media asset of this lesson's course.")
    if asset.status != MediaStatus.READY:
        raise _unshowable("The upload of this media asset is not complete.")
    problem = lesson_media_problem(lesson.kind, asset.kind)
    if problem is not None:
        raise _unshowable(problem)
    lesson.media_asset_id = asset.id
    db.session.flush()
    return LessonMedia(lesson.id, asset)


def _unshowable(problem: str) -> Invalid:
    return Invalid("This lesson cannot show this media.", errors={"media_asset_id": [problem]})


def find_lesson(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None:
        raise NotFound("No such lesson.")
    return lesson


# stale uploads


def remove_stale_uploads() -> int:
    """Delete the objects and rows of uploads left pending (or rejected) longer than
    ``ELEARN_MEDIA_STALE_UPLOAD_HOURS``; by then their upload URLs have long expired, so no late
    upload can bring an object back. Running it twice, or twice at once, is harmless."""
    hours = current_settings().media_stale_upload_hours
    cutoff = clock.now() - timedelta(hours=hours)
    stale = db.session.scalars(
        select(MediaAsset)
        .where(
            MediaAsset.status.in_([MediaStatus.PENDING, MediaStatus.REJECTED]),
            MediaAsset.created_at <= cutoff,
        )
        .order_by(MediaAsset.id)
        .limit(STALE_BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    store = storage()
    for asset in stale:
        store.delete(asset.storage_key)
        db.session.delete(asset)
    db.session.flush()
    if stale:
        log.info("removed %s stale media uploads", len(stale))
    return len(stale)
