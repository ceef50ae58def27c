"""Failed logins slow down the next attempts on the same account from the same address.

Past ``ELEARN_LOGIN_RATE_LIMIT_ACCOUNT`` failures (default 5 a minute) for one (account, client
address), each further attempt waits before the password is checked: 0.25 s, doubling with every
failure, at most ``MAX_PAUSE_SECONDS``. Nobody is refused: the owner, even behind the same address
as a stranger guessing their password, still logs in, a little later; guessing becomes slow.
Refusing is the per-address limit's work (429). Failures are counted in the rate limiter's
storage, so every API process sees them (in memory while that storage is unreachable).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from limits import RateLimitItem, parse

from elearn.extensions import limiter

log = logging.getLogger(__name__)
FIRST_PAUSE_SECONDS = 0.25
MAX_PAUSE_SECONDS = 2.0
_COUNTED_UP_TO = 1_000_000

sleep: Callable[[float], None] = time.sleep


def _counter(limit: str) -> RateLimitItem:
    """The configured limit's window, counting far past its amount."""
    item = parse(limit)
    return type(item)(_COUNTED_UP_TO, item.multiples, namespace="login-failures")


def pause_seconds(key: str, limit: str) -> float:
    """How long the next attempt under ``key`` waits, after the failures counted so far."""
    try:
        _, remaining = limiter.limiter.get_window_stats(_counter(limit), key)
    except Exception:
        log.warning("login failures unreadable: the rate limit storage failed", exc_info=True)
        return 0.0
    failures = _COUNTED_UP_TO - remaining
    excess = failures - parse(limit).amount
    if excess < 0:
        return 0.0
    return float(min(MAX_PAUSE_SECONDS, FIRST_PAUSE_SECONDS * 2**excess))


def slow_down(key: str, limit: str) -> None:
    """Wait as long as the failures under ``key`` require."""
    pause = pause_seconds(key, limit)
    if pause:
        sleep(pause)


def count_failure(key: str, limit: str) -> None:
    try:
        limiter.limiter.hit(_counter(limit), key)
    except Exception:
        log.warning("login failure not counted: the rate limit storage failed", exc_info=True)
