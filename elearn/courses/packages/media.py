"""Which media files a package may carry: the accepted types (``elearn.filetypes``), told by
extension and confirmed by the file's first bytes."""

from __future__ import annotations

from elearn import filetypes


def media_problem(path: str, data: bytes) -> str | None:
    """Why ``data`` at ``path`` is not an accepted media file, or None when it is."""
    file_type = filetypes.by_extension(path)
    if file_type is None:
        accepted = ", ".join(sorted(filetypes.EXTENSIONS))
        return f"Media files are {accepted}; not {path.rpartition('/')[2]}."
    return filetypes.content_problem(file_type, data[: filetypes.SNIFF_BYTES])
