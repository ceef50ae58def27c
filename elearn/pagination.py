"""The one pagination helper: page arguments, a counted page, and its HTTP headers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

import marshmallow as ma
from flask import request
from sqlalchemy import Select, func, select

from elearn.extensions import db
from elearn.http_cache import LeastRecentlyUsed
from elearn.inputs import MAX_INTEGER

T = TypeVar("T")
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    request: PageRequest

    @property
    def last_page(self) -> int:
        return max(1, -(-self.total // self.request.per_page))


def fetch_page(
    statement: Select[Any], request: PageRequest, *, total: int | None = None
) -> Page[Any]:
    """Run ``statement`` (which must have a stable ORDER BY) for one page, with the total
    (counted, unless the caller keeps it and says so).

    Items are objects when the statement selects one thing (a model), else rows."""
    if total is None:
        total = db.session.scalar(
            select(func.count()).select_from(statement.order_by(None).subquery())
        )
    page = statement.limit(request.per_page).offset(request.offset)
    result = db.session.execute(page)
    items = result.scalars().all() if len(statement.column_descriptions) == 1 else result.all()
    return Page(items=items, total=total or 0, request=request)


class PageArgs(ma.Schema):
    """``?page=&per_page=`` for every list endpoint."""

    # A page past MAX_INTEGER could ask the database for an offset over 64 bits.
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=MAX_INTEGER))
    per_page = ma.fields.Integer(
        load_default=20, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE)
    )

    @ma.post_load
    def _to_request(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["page_request"] = PageRequest(data.pop("page"), data.pop("per_page"))
        return data


def paginated(page: Page[T]) -> tuple[Sequence[T], dict[str, str]]:
    """A view's return value: the items, plus ``X-Total-Count`` and an RFC 8288 ``Link``."""
    per_page = page.request.per_page
    current = page.request.page
    query = {key: value for key, value in request.args.items() if key not in {"page", "per_page"}}
    base_url = _base_url()
    other_arguments = urlencode(query) + "&" if query else ""

    def link(number: int, rel: str) -> str:
        return f'<{base_url}?{other_arguments}page={number}&per_page={per_page}>; rel="{rel}"'

    links = [link(1, "first")]
    if current > 1:
        links.append(link(min(current - 1, page.last_page), "prev"))
    if current < page.last_page:
        links.append(link(current + 1, "next"))
    links.append(link(page.last_page, "last"))
    return page.items, {"X-Total-Count": str(page.total), "Link": ", ".join(links)}


# Each list's URL without its query, by the environ values it is made of: werkzeug builds it
# for every request, as an IRI, at a thirtieth of the trainee's enrolments page.
_BASE_URLS: LeastRecentlyUsed[str] = LeastRecentlyUsed(size=1024)
_MADE_OF = (
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
    "PATH_INFO",
)


def _base_url() -> str:
    environ = request.environ
    key = tuple(environ.get(name) for name in _MADE_OF)
    url = _BASE_URLS.get(key)
    if url is None:
        url = request.base_url
        _BASE_URLS.put(key, url)
    return url
