"""Which media files a package may carry: by extension, confirmed by the file's first bytes.

SVG and HTML are not accepted: they can carry scripts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath


def _starts(*signatures: bytes) -> Callable[[bytes], bool]:
    return lambda data: data.startswith(signatures)


def _mp4(data: bytes) -> bool:
    return data[4:8] == b"ftyp"


def _webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    ".png": _starts(b"\x89PNG\r\n\x1a\n"),
    ".jpg": _starts(b"\xff\xd8\xff"),
    ".jpeg": _starts(b"\xff\xd8\xff"),
    ".gif": _starts(b"GIF87a", b"GIF89a"),
    ".webp": _webp,
    ".pdf": _starts(b"%PDF-"),
    ".mp4": _mp4,
    ".m4a": _mp4,
    ".webm": _starts(b"\x1a\x45\xdf\xa3"),
    ".mp3": _starts(b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
}


def media_problem(path: str, data: bytes) -> str | None:
    """Why ``data`` at ``path`` is not an accepted media file, or None when it is."""
    suffix = PurePosixPath(path).suffix.lower()
    matches = SIGNATURES.get(suffix)
    if matches is None:
        return f"Media files are {', '.join(sorted(SIGNATURES))}; not {suffix or 'this type'}."
    if not matches(data):
        return f"The content is not a {suffix} file."
    return None
