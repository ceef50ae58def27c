"""Lesson Markdown to HTML that is safe to insert into a page."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

# Raw HTML in Markdown is shown as text, never passed through; nh3 then removes anything that
# could still run (event handlers, javascript:/data: URLs) from what Markdown itself produced.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"style"},
    "th": {"style"},
}
URL_SCHEMES = {"http", "https", "mailto"}


# Rendering is pure and costs more than the rest of a lesson request: each process keeps the HTML
# of the lesson texts it served last (a text is a few KiB; a new text is a new key).
@lru_cache(maxsize=1024)
def markdown_to_html(markdown: str) -> str:
    """Sanitized HTML: no script, no event handlers, no javascript: or data: URLs."""
    html = _markdown.render(markdown)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )
