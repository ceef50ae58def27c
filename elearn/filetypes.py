"""The media file types elearn accepts, and how to recognise each by its first bytes.

One list for every way a file comes in: presigned uploads (``elearn.media``) and content
packages (``elearn.content``). A file is accepted only when its first bytes are what its
declared type (or its extension) says. SVG, HTML and anything else a browser could run are not on
the list, and no accepted signature starts with ``<``, so markup (or a polyglot that starts as
markup) never passes as media.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

# Enough for every signature below, including the WebM DocType inside the EBML header.
SNIFF_BYTES = 64


class MediaKind(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    DOCUMENT = "document"
    IMAGE = "image"


def _starts(*signatures: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(signatures)


def _iso_media(head: bytes) -> bool:
    """An ISO base media file (MP4) opens with a ``ftyp`` box."""
    return head[4:8] == b"ftyp"


def _webm(head: bytes) -> bool:
    """An EBML header (Matroska's container) whose DocType is ``webm``."""
    return head.startswith(b"\x1a\x45\xdf\xa3") and b"\x42\x82" in head and b"webm" in head


def _mp3(head: bytes) -> bool:
    """An ID3 tag, or an MPEG audio layer III frame: 11 sync bits, then layer bits 01."""
    if head.startswith(b"ID3"):
        return True
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 == 0x02


def _webp(head: bytes) -> bool:
    return head.startswith(b"RIFF") and head[8:12] == b"WEBP"


@dataclass(frozen=True)
class FileType:
    content_type: str
    kind: MediaKind
    extensions: tuple[str, ...]
    matches: Callable[[bytes], bool]

    @property
    def extension(self) -> str:
        """The usual extension, for names that lack one."""
        return self.extensions[0]


ACCEPTED: tuple[FileType, ...] = (
    FileType("video/mp4", MediaKind.VIDEO, (".mp4",), _iso_media),
    FileType("video/webm", MediaKind.VIDEO, (".webm",), _webm),
    FileType("audio/mpeg", MediaKind.AUDIO, (".mp3",), _mp3),
    FileType("application/pdf", MediaKind.DOCUMENT, (".pdf",), _starts(b"%PDF-")),
    FileType("image/png", MediaKind.IMAGE, (".png",), _starts(b"\x89PNG\r\n\x1a\n")),
    FileType("image/jpeg", MediaKind.IMAGE, (".jpg", ".jpeg"), _starts(b"\xff\xd8\xff")),
    FileType("image/webp", MediaKind.IMAGE, (".webp",), _webp),
)
CONTENT_TYPES = tuple(file_type.content_type for file_type in ACCEPTED)
EXTENSIONS = tuple(extension for file_type in ACCEPTED for extension in file_type.extensions)


def by_content_type(content_type: str) -> FileType | None:
    return next((t for t in ACCEPTED if t.content_type == content_type), None)


def by_extension(name: str) -> FileType | None:
    suffix = PurePosixPath(name).suffix.lower()
    return next((t for t in ACCEPTED if suffix in t.extensions), None)


def sniff(head: bytes) -> FileType | None:
    """The accepted type whose signature ``head`` (a file's first bytes) carries, if any."""
    return next((t for t in ACCEPTED if t.matches(head)), None)


def content_problem(file_type: FileType, head: bytes) -> str | None:
    """Why a file starting with ``head`` is not a ``file_type`` file, or None when it is."""
    if file_type.matches(head):
        return None
    found = sniff(head)
    looks_like = f"it looks like {found.content_type}" if found else "its type is not accepted"
    return f"The content is not {file_type.content_type}: {looks_like}."


def file_problem(path: str, data: bytes) -> str | None:
    """Why ``data`` named ``path`` (a file in a package) is not an accepted media file, or None."""
    file_type = by_extension(path)
    if file_type is None:
        return f"Media files are {', '.join(sorted(EXTENSIONS))}; not {path.rpartition('/')[2]}."
    return content_problem(file_type, data[:SNIFF_BYTES])
