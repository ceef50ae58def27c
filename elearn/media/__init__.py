"""Media assets: presigned uploads checked on completion, downloads behind a policy check, and
the media files of content packages."""

from __future__ import annotations

from flask import Flask

from elearn.media import packages


def init_app(app: Flask) -> None:
    """Take part in content package import and export."""
    packages.connect()
