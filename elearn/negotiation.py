"""The language a request asks for: ``?lang=`` first, else the best ``Accept-Language`` match."""

from __future__ import annotations

from flask import request

from elearn.config import current_settings


def requested_language(explicit: str | None = None) -> str | None:
    """``explicit`` (the ``lang`` argument) when given, else the best content-language match."""
    if explicit:
        return explicit
    best: str | None = request.accept_languages.best_match(current_settings().languages)
    return best
