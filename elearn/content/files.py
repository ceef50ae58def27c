"""A package's files as ``{relative path: bytes}``, read from a folder or a zip, within limits.

Paths are relative, use ``/`` and stay inside the package: ``..``, absolute paths and symlinks
are refused. A zip is also refused when it is larger than allowed, expands beyond the allowed
total, holds too many files, or expands more than the allowed ratio (a zip bomb); sizes are
enforced on the bytes actually decompressed, not only on what the archive declares.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from elearn.config import Settings
from elearn.errors import Invalid, TooLarge

PackageFiles = dict[str, bytes]
IGNORED_PREFIXES = ("__MACOSX/",)
IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db"})
# A fixed timestamp makes an exported zip depend on its content only.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class PackageLimits:
    max_archive_bytes: int
    max_total_bytes: int
    max_files: int
    max_ratio: int

    @classmethod
    def from_settings(cls, settings: Settings) -> PackageLimits:
        return cls(
            max_archive_bytes=settings.package_max_bytes,
            max_total_bytes=settings.package_max_uncompressed_bytes,
            max_files=settings.package_max_files,
            max_ratio=settings.package_max_ratio,
        )


def path_problem(name: str) -> str | None:
    """Why ``name`` cannot be a path inside a package, or None when it can."""
    if not name or "\\" in name or "\x00" in name:
        return "Paths use / and no control characters."
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "Absolute paths are not allowed."
    if any(part in {"", ".", ".."} for part in PurePosixPath(name).parts) or "//" in name:
        return "Paths may not contain '..' or '.' segments."
    return None


def _refuse_path(name: str) -> None:
    problem = path_problem(name)
    if problem is not None:
        raise Invalid("The package holds a path that leaves it.", errors={name: [problem]})


def _ignored(name: str) -> bool:
    return name.startswith(IGNORED_PREFIXES) or PurePosixPath(name).name in IGNORED_NAMES


# zip


def read_zip(stream: IO[bytes], limits: PackageLimits) -> PackageFiles:
    """The files of a package zip; its folder may be the root or its single top-level folder."""
    archive_bytes = stream.read(limits.max_archive_bytes + 1)
    if len(archive_bytes) > limits.max_archive_bytes:
        raise TooLarge(f"The package zip is larger than {limits.max_archive_bytes} bytes.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(archive_bytes))
    except zipfile.BadZipFile:
        raise Invalid(
            "The upload is not a zip archive.", errors={"package": ["Not a zip."]}
        ) from None
    with archive:
        entries = _checked_entries(archive, limits, len(archive_bytes))
        files = {info.filename: _decompressed(archive, info) for info in entries}
    return _without_top_folder(files)


def _checked_entries(
    archive: zipfile.ZipFile, limits: PackageLimits, archive_size: int
) -> list[zipfile.ZipInfo]:
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        if info.is_dir() or _ignored(info.filename):
            continue
        _refuse_path(info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            _refuse_entry(info, "Symlinks are refused.")
        if info.flag_bits & 0x1:
            _refuse_entry(info, "Encrypted entries are refused.")
        if info.filename in entries:
            _refuse_entry(info, "The archive holds this path twice.")
        entries[info.filename] = info
    if len(entries) > limits.max_files:
        raise TooLarge(f"The package holds more than {limits.max_files} files.")
    declared = sum(info.file_size for info in entries.values())
    _check_expansion(declared, archive_size, limits)
    return list(entries.values())


def _refuse_entry(info: zipfile.ZipInfo, problem: str) -> None:
    raise Invalid(
        "The package zip holds an entry that is refused.", errors={info.filename: [problem]}
    )


def _check_expansion(total: int, archive_size: int, limits: PackageLimits) -> None:
    if total > limits.max_total_bytes:
        raise TooLarge(f"The package expands beyond {limits.max_total_bytes} bytes.")
    if total > limits.max_ratio * max(archive_size, 1):
        raise TooLarge(
            f"The package expands more than {limits.max_ratio} times its size (a zip bomb?)."
        )


def _decompressed(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
        _refuse_entry(info, "The entry is damaged or uses an unsupported compression.")
    if len(data) > info.file_size:
        raise TooLarge(f"{info.filename} expands beyond the size its archive declares.")
    return data


def _without_top_folder(files: PackageFiles) -> PackageFiles:
    if "course.yaml" in files or not files:
        return files
    tops = {name.split("/", 1)[0] for name in files}
    if len(tops) == 1 and all("/" in name for name in files):
        prefix = f"{tops.pop()}/"
        return {name.removeprefix(prefix): data for name, data in files.items()}
    return files


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """A zip of ``files`` that depends only on their paths and content."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()


# folders


def folder_paths(root: Path, limits: PackageLimits) -> list[str]:
    """The package's relative paths under ``root``, sorted; symlinks and excess are refused."""
    names = []
    for directory, subdirectories, filenames in os.walk(root, followlinks=False):
        for name in sorted([*subdirectories, *filenames]):
            path = Path(directory) / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                raise Invalid(
                    "The package holds a symbolic link.", errors={relative: ["Symlinks refused."]}
                )
            if name in filenames and not _ignored(relative):
                names.append(relative)
    if len(names) > limits.max_files:
        raise TooLarge(f"The package holds more than {limits.max_files} files.")
    return sorted(names)


def read_folder(root: Path, names: Iterable[str], limits: PackageLimits) -> PackageFiles:
    """Read ``names`` (from ``folder_paths``; pass a progress bar over them) under ``root``."""
    files: PackageFiles = {}
    total = 0
    for name in names:
        _refuse_path(name)
        data = (root / name).read_bytes()
        total += len(data)
        if total > limits.max_total_bytes:
            raise TooLarge(f"The package is larger than {limits.max_total_bytes} bytes.")
        files[name] = data
    return files


def writable_folder(root: Path) -> Path:
    """``root``, created if needed; refused when it already holds files (nothing is overwritten)."""
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise Invalid(
            "Export into a new or empty folder.", errors={str(root): ["Exists and is not empty."]}
        )
    root.mkdir(parents=True, exist_ok=True)
    return root


def write_file(root: Path, name: str, data: bytes) -> None:
    """Write one package file under ``root`` (its path checked like an imported one)."""
    _refuse_path(name)
    target = root / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
