"""The language a request asks for: ``?lang=``, else the best ``Accept-Language`` match, else the
signed-in user's own language; with none of them, the course's default language answers."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request

from elearn.config import current_settings

CALLER_LANGUAGE = "elearn.caller_language"


def requested_language(explicit: str | None = None) -> str | None:
    """``explicit`` (the ``lang`` argument) when given, else the best content-language match of
    the request's header, else the caller's profile language."""
    if explicit:
        return explicit
    return header_language() or profile_language(current_settings().languages)


def requested_or_own_language(own_language: str, explicit: str | None = None) -> str:
    """``requested_language`` for a caller whose own language is already known: no second look
    at who the caller is."""
    return explicit or header_language() or own_language


def header_language() -> str | None:
    """The content language that best matches the request's ``Accept-Language``."""
    if "HTTP_ACCEPT_LANGUAGE" not in request.environ:
        return None  # without parsing and matching an empty header
    best: str | None = request.accept_languages.best_match(current_settings().languages)
    return best


def profile_language(languages: tuple[str, ...]) -> str | None:
    """The signed-in caller's own language, when it is a content language."""
    language = current_app.extensions[CALLER_LANGUAGE]()
    return language if language in languages else None


def init_app(app: Flask, caller_language: Callable[[], str | None]) -> None:
    """``caller_language``: the signed-in caller's language, None for an anonymous caller."""
    app.extensions[CALLER_LANGUAGE] = caller_language
