"""Choosing the store from ELEARN_STORAGE_URL, object keys and download headers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from elearn import create_app
from elearn.config import ConfigError
from elearn.infra.storage import (
    LocalStorage,
    S3Storage,
    check_key,
    new_object_key,
    open_storage,
    storage,
)
from elearn.infra.storage.base import content_disposition


def test_the_embedded_default_is_a_media_folder_in_the_instance_folder(app, settings):
    with app.app_context():
        store = storage()

    assert isinstance(store, LocalStorage)
    assert store.root == Path(settings.instance_path) / "media"


def test_an_s3_url_names_the_bucket_and_prefix(settings):
    store = open_storage(
        replace(settings, storage_url="s3://elearn-media/prod/v1", s3_addressing_style="virtual")
    )

    assert isinstance(store, S3Storage)
    assert (store.options.bucket, store.options.prefix) == ("elearn-media", "prod/v1")
    assert store.options.addressing_style == "virtual"


@pytest.mark.parametrize(
    ("changes", "variable"),
    [
        ({"storage_url": "ftp://files.example/media"}, "ELEARN_STORAGE_URL"),
        ({"storage_url": "/srv/media"}, "ELEARN_STORAGE_URL"),
        ({"storage_url": "file://media"}, "ELEARN_STORAGE_URL"),
        ({"storage_url": "s3://"}, "ELEARN_STORAGE_URL"),
        ({"storage_url": "s3://bucket/../up"}, "ELEARN_STORAGE_URL"),
        (
            {"storage_url": "s3://bucket", "s3_addressing_style": "dns"},
            "ELEARN_S3_ADDRESSING_STYLE",
        ),
        ({"storage_url": "s3://bucket", "s3_max_attempts": 0}, "ELEARN_S3_MAX_ATTEMPTS"),
        (
            {"storage_url": "s3://bucket", "s3_read_timeout_seconds": 0},
            "ELEARN_S3_READ_TIMEOUT_SECONDS",
        ),
    ],
)
def test_a_bad_storage_setting_names_its_variable(settings, changes, variable):
    with pytest.raises(ConfigError, match=variable):
        open_storage(replace(settings, **changes))


def test_the_app_refuses_to_start_on_an_unknown_storage_scheme(settings):
    with pytest.raises(ConfigError, match="ELEARN_STORAGE_URL: unknown scheme 'gs'"):
        create_app(replace(settings, storage_url="gs://bucket"))


def test_object_keys_are_random_and_under_their_prefix():
    keys = {new_object_key("media/videos") for _ in range(1000)}

    assert len(keys) == 1000
    for key in keys:
        prefix, _, name = key.rpartition("/")
        assert prefix == "media/videos"
        assert len(name) == 40
        assert check_key(key) == key


@pytest.mark.parametrize("prefix", ["", "Media", "../media", "media/", "/media", "my media"])
def test_a_key_prefix_is_lowercase_words(prefix):
    with pytest.raises(ValueError, match="invalid key prefix"):
        new_object_key(prefix)


@pytest.mark.parametrize(
    ("filename", "inline", "expected"),
    [
        (None, False, "attachment"),
        (None, True, "inline"),
        ("report.csv", False, "attachment; filename=\"report.csv\"; filename*=UTF-8''report.csv"),
        (
            "Сертификат Ана.pdf",
            True,
            'inline; filename="__________ ___.pdf"; '
            "filename*=UTF-8''%D0%A1%D0%B5%D1%80%D1%82%D0%B8%D1%84%D0%B8%D0%BA%D0%B0%D1%82%20"
            "%D0%90%D0%BD%D0%B0.pdf",
        ),
        (
            "Café déjà vu.mp4",
            False,
            'attachment; filename="Cafe deja vu.mp4"; '
            "filename*=UTF-8''Caf%C3%A9%20d%C3%A9j%C3%A0%20vu.mp4",
        ),
        (
            'evil"\r\nSet-Cookie: x=1/..\\a.txt',
            False,
            'attachment; filename="evil___Set-Cookie: x=1_.._a.txt"; '
            "filename*=UTF-8''evil___Set-Cookie%3A%20x%3D1_.._a.txt",
        ),
    ],
    ids=["none", "inline", "ascii", "cyrillic", "accents", "header injection"],
)
def test_content_disposition_follows_rfc_6266(filename, inline, expected):
    assert content_disposition(filename, inline=inline) == expected
