"""Mail templates shipped in the package: text and HTML per kind and language.

``templates/<kind>/<language>.txt`` holds a ``subject`` block and the text body,
``templates/<kind>/<language>.html`` the HTML body (autoescaped). A language without templates
falls back to English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape

FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class RenderedMail:
    language: str
    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("elearn.notifications", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _template(kind: str, language: str, extension: str) -> Template:
    return _environment().select_template(
        [f"{kind}/{language}.{extension}", f"{kind}/{FALLBACK_LANGUAGE}.{extension}"]
    )


def render(kind: str, language: str, values: Mapping[str, Any]) -> RenderedMail:
    """Subject, text and HTML of one mail in ``language`` (or English when it has none)."""
    text = _template(kind, language, "txt")
    used = PurePosixPath(text.name or "").stem
    subject_parts = text.blocks["subject"](text.new_context(dict(values)))
    subject = " ".join("".join(subject_parts).split())
    html = _template(kind, used, "html")
    page = {**values, "subject": subject, "language": used}
    return RenderedMail(used, subject, text.render(page), html.render(page))


def render_page(name: str, values: Mapping[str, Any]) -> str:
    """A small public HTML page (``templates/pages/<name>.html``), autoescaped."""
    return _environment().get_template(f"pages/{name}.html").render(dict(values))
