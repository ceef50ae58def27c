"""Conditional GET and a per-process cache of representations.

``conditional``: an ETag hashing the body and the headers that describe it (language, totals,
links), so it changes whenever the content, its language or what the caller may see changes;
If-None-Match gets 304.

``cached``: successful GET responses kept in process memory under a key the endpoint computes.
The key must change whenever the representation would (typically it includes a fingerprint of
the data), so nothing stale is ever served beyond what the key's parts allow.

``Remembered``: values a process computed (who a token belongs to, the catalogue's
fingerprint), reused without asking the database again until data they depend on changes, in
this process or, heard through the change feed, in any other.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass
from functools import cached_property, lru_cache, wraps
from typing import Any, ClassVar, Generic, TypeVar

from flask import Response, make_response, request
from werkzeug.datastructures import Headers
from werkzeug.http import http_date, parse_set_header

from elearn.infra import change_feed

DESCRIBING_HEADERS = ("Content-Language", "X-Total-Count", "Link")
# What a cached response keeps: never Set-Cookie or anything else about one caller.
KEPT_HEADERS = frozenset({"Content-Type", "Vary", *DESCRIBING_HEADERS})
# What werkzeug's make_conditional reads of a request, as WSGI names them.
CONDITION_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
)

V = TypeVar("V")
K = TypeVar("K", bound=Hashable)
View = Callable[..., Any]


def conditional(view: Callable[..., Any]) -> Callable[..., Response]:
    """Give a GET view's 200 responses an ETag and answer If-None-Match with 304."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200:
            return response
        if isinstance(response, RepresentationResponse):
            response.set_etag(response.representation.etag)
        else:
            response.set_etag(_etag(response.get_data(), response.headers))
        vary_on(response, "Authorization", "Cookie")
        _answer_conditions(response)
        return response

    return wrapper


def _answer_conditions(response: Response) -> None:
    """``response.make_conditional(request)``; for a GET that asks nothing of it (most of them),
    without reading headers the request lacks: all it would do is date the response."""
    environ = request.environ
    if environ["REQUEST_METHOD"] not in ("GET", "HEAD") or any(
        name in environ for name in CONDITION_HEADERS
    ):
        response.make_conditional(request)
    else:
        response.headers["Date"] = http_date()


def _etag(body: bytes, headers: Headers) -> str:
    digest = hashlib.sha256(body)
    for name in DESCRIBING_HEADERS:
        digest.update(f"\n{name}: {headers.get(name, '')}".encode())
    return digest.hexdigest()[:40]


def vary_on(response: Response, *names: str) -> None:
    """``response.vary.update(names)``, without parsing and writing the header again each time
    (a good part of a small request's time)."""
    current = response.headers.getlist("Vary")  # no KeyError raised and caught when absent
    varied = _varied(current[0] if current else None, names)
    if varied is not None:
        response.headers["Vary"] = varied


@lru_cache(maxsize=64)
def _varied(vary: str | None, names: tuple[str, ...]) -> str | None:
    """The Vary header ``vary`` becomes on adding ``names``; None when it already has them."""
    header_set = parse_set_header(vary)
    if all(name in header_set for name in names):
        return None
    header_set.update(names)
    return header_set.to_header()


def exact_request() -> Hashable:
    """What names the exact request in a cache key: its scheme, host, path and query (the links
    a page answers with are built of them). ``request.url`` says the same at several times the
    cost: werkzeug rebuilds it as an IRI."""
    return (request.scheme, request.host, request.root_path, request.path, request.query_string)


class LeastRecentlyUsed(Generic[V]):
    """A thread-safe LRU of at most ``size`` values; ``forget_every_remembered_value`` empties it
    like the ``Remembered`` values (a test's rolled-back transaction may reuse ids)."""

    every: ClassVar[weakref.WeakSet[LeastRecentlyUsed[Any]]] = weakref.WeakSet()

    def __init__(self, size: int = 512) -> None:
        LeastRecentlyUsed.every.add(self)
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, entry: V) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def oldest(self) -> V | None:
        """The least recently used value (None: empty)."""
        with self._lock:
            return next(iter(self._entries.values()), None)

    def take(self) -> dict[Hashable, V]:
        """Every value by key, least recently used first, leaving it empty."""
        with self._lock:
            taken, self._entries = dict(self._entries), OrderedDict()
            return taken

    def forget(self, which: Callable[[V], bool] | None = None) -> None:
        """Drop the values for which ``which`` is true; every value without it."""
        with self._lock:
            if which is None:
                self._entries.clear()
                return
            for key in [key for key, value in self._entries.items() if which(value)]:
                del self._entries[key]


@dataclass(frozen=True)
class Representation:
    """A response body and its describing headers."""

    body: bytes
    headers: tuple[tuple[str, str], ...]

    @cached_property
    def etag(self) -> str:
        """Its ETag (see ``conditional``), hashed once however many hits serve it."""
        return _etag(self.body, Headers(list(self.headers)))


class RepresentationResponse(Response):
    """A 200 response served from a ``RepresentationCache``."""

    def __init__(self, representation: Representation) -> None:
        super().__init__(representation.body, status=200, headers=list(representation.headers))
        self.representation = representation


class RepresentationCache(LeastRecentlyUsed[Representation]):
    """Response bodies and their describing headers."""


def cached(
    cache: RepresentationCache, key: Callable[[], Hashable | None]
) -> Callable[[View], View]:
    """Serve a GET view's 200 responses from ``cache`` while ``key()`` stays the same; a key of
    None means this caller's representation is their own: the view answers, nothing is kept."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            cache_key = key()
            if cache_key is None:
                return make_response(view(*args, **kwargs))
            entry = cache.get(cache_key)
            if entry is not None:
                return RepresentationResponse(entry)
            response = make_response(view(*args, **kwargs))
            if response.status_code == 200:
                kept = tuple((n, v) for n, v in response.headers.items() if n in KEPT_HEADERS)
                cache.put(cache_key, Representation(response.get_data(), kept))
            return response

        return wrapper

    return decorator


class Remembered(Generic[V]):
    """Values this process computed, reused until data of their ``topic`` changes (see
    ``elearn.infra.change_feed``): this process's own change forgets them at once, another
    process's when the feed delivers it, before the next reuse. ``key_of`` names the key of the
    topic a value was computed from (a user id), so that a change of one key forgets only the
    values of that key; without it any change forgets all. Nothing is reused while the feed is
    not live (SQLite, or its connection lost). Past ``size`` values, the least recently used
    goes. Values are never None."""

    every: ClassVar[weakref.WeakSet[Remembered[Any]]] = weakref.WeakSet()

    def __init__(
        self, topic: str, key_of: Callable[[V], int] | None = None, size: int = 8192
    ) -> None:
        Remembered.every.add(self)
        self._key_of = key_of
        self._values: LeastRecentlyUsed[V] = LeastRecentlyUsed(size)
        self._generation = 0
        self._lock = threading.Lock()
        change_feed.feed.subscribe(topic, self.forget)

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        if not change_feed.feed.heard():
            return compute()
        known = self._values.get(key)
        if known is not None:
            return known
        generation = self._generation
        value = compute()
        self._keep(generation, {key: value})
        return value

    def get_many(
        self, keys: Collection[K], compute: Callable[[Collection[K]], dict[K, V]]
    ) -> dict[K, V]:
        """The values of ``keys``; ``compute`` gets those not remembered, at once, and may leave
        out keys that have no value."""
        if not change_feed.feed.heard():
            return compute(keys)
        values: dict[K, V] = {}
        missing = []
        for key in keys:
            known = self._values.get(key)
            if known is None:
                missing.append(key)
            else:
                values[key] = known
        if missing:
            generation = self._generation
            computed = compute(missing)
            self._keep(generation, computed)
            values.update(computed)
        return values

    def _keep(self, generation: int, values: dict[Any, V]) -> None:
        with self._lock:
            # Values computed across a forget() may predate the change that caused it.
            if generation == self._generation:
                for key, value in values.items():
                    self._values.put(key, value)

    def forget(self, keys: frozenset[int] | None = None) -> None:
        with self._lock:
            self._generation += 1
            key_of = self._key_of
            if keys is None or key_of is None:
                self._values.forget()
            else:
                self._values.forget(lambda value: key_of(value) in keys)


def forget_every_remembered_value() -> None:
    """After a change made behind the application's back (a test's rolled-back transaction)."""
    for remembered in list(Remembered.every):
        remembered.forget()
    for cache in list(LeastRecentlyUsed.every):
        cache.forget()
