"""The import zip is refused when it would leave the package or expand beyond the limits."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from elearn.accounts.models import Role
from elearn.courses.models import Course, Lesson
from tests.content.builders import fixture_package, zip_of


@pytest.fixture
def trainer(make):
    return make.user(Role.TRAINER, administration=None)


def zip_with(entries):
    """A zip whose entries are ``(ZipInfo or name, bytes)``, written as given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


def symlink(name, target):
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target


def assert_nothing_stored(make):
    assert make.count(Course) == make.count(Lesson) == 0


def test_a_package_zipped_with_its_folder_is_accepted(upload, trainer):
    nested = {f"valuation/{name}": data for name, data in fixture_package().items()}
    nested["__MACOSX/valuation/._course.yaml"] = b"\x00\x05"

    assert upload(trainer, nested).status_code == 200


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (("../outside.md", b"x"), "Paths may not contain '..' or '.' segments."),
        (("en/../../outside.md", b"x"), "Paths may not contain '..' or '.' segments."),
        (("/etc/passwd", b"x"), "Absolute paths are not allowed."),
        (("C:/windows.md", b"x"), "Absolute paths are not allowed."),
        (symlink("en/link.md", b"/etc/passwd"), "Symlinks are refused."),
    ],
)
def test_paths_leaving_the_package_are_refused(upload, trainer, make, entry, message):
    archive = zip_with([*fixture_package().items(), entry])

    response = upload(trainer, archive)

    assert response.status_code == 422
    name = entry[0].filename if isinstance(entry[0], zipfile.ZipInfo) else entry[0]
    assert response.json["errors"] == {name: [message]}
    assert_nothing_stored(make)


def test_a_zip_bomb_is_refused_before_it_is_expanded(upload, trainer, make):
    bomb = zip_with([*fixture_package().items(), ("media/zeros.pdf", b"\0" * (20 * 1024 * 1024))])

    response = upload(trainer, bomb)

    assert response.status_code == 413
    assert "zip bomb" in response.json["detail"]
    assert_nothing_stored(make)


def test_size_and_count_limits(upload, trainer, make, override_settings):
    archive = zip_of(fixture_package())

    override_settings(package_max_bytes=len(archive) - 1)
    too_big = upload(trainer, archive)
    override_settings(package_max_uncompressed_bytes=1000)
    expands_too_much = upload(trainer, archive)
    override_settings(package_max_files=5)
    too_many_files = upload(trainer, archive)
    override_settings(package_max_bytes=100)
    over_the_request_limit = upload(trainer, b"\0" * 200_000)

    for response in (too_big, expands_too_much, too_many_files, over_the_request_limit):
        assert response.status_code == 413
        assert response.mimetype == "application/problem+json"
    assert "larger than" in too_big.json["detail"]
    assert "expands beyond" in expands_too_much.json["detail"]
    assert "more than 5 files" in too_many_files.json["detail"]
    assert_nothing_stored(make)


def test_an_entry_that_lies_about_its_size_is_refused(upload, trainer, make):
    archive = bytearray(zip_of({**fixture_package(), "media/extra.pdf": b"%PDF-" + b"a" * 5000}))
    header = archive.find(b"PK\x03\x04", archive.find(b"media/extra.pdf") - 60)
    # Shrink the declared size in both the local header and the central directory.
    for offset in (header + 22, archive.rfind(b"media/extra.pdf") - 46 + 24):
        archive[offset : offset + 4] = (100).to_bytes(4, "little")

    response = upload(trainer, bytes(archive))

    assert response.status_code == 422
    assert response.json["errors"] == {
        "media/extra.pdf": ["The entry is damaged or uses an unsupported compression."]
    }
    assert_nothing_stored(make)


def test_what_is_not_a_zip_is_422(upload, trainer, make):
    response = upload(trainer, b"this is not a zip")

    assert response.status_code == 422
    assert response.json["errors"] == {"package": ["Not a zip."]}
    assert_nothing_stored(make)
