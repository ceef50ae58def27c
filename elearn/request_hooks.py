"""Request plumbing that every request pays for, kept to what it has work to do.

Flask asks of every hook and view, on every request, whether it is a coroutine function
(``inspect.iscoroutinefunction``, which unwraps partials and methods): a dozen times per request.
``App`` answers from the code object for plain functions and methods.

An extension's after-request and teardown hooks run on every request even when the request gave
them nothing to do (flask-limiter's headers on a view without limits, flask-login's remember-me
cookie for a caller without a cookie session); ``run_hooks_only_when`` skips them there.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import CodeType, FunctionType, MethodType
from typing import Any

from flask import Flask, Response

Hook = Callable[..., Any]


class App(Flask):
    def ensure_sync(self, func: Hook) -> Hook:
        code = _plain_code(func)
        if code is not None and not code.co_flags & inspect.CO_COROUTINE:
            return func
        return super().ensure_sync(func)


def _plain_code(func: Hook) -> CodeType | None:
    """The code object of a plain function or a method of one; None for anything else."""
    if type(func) is MethodType:
        func = func.__func__
    return func.__code__ if type(func) is FunctionType else None


def run_hooks_only_when(
    app: Flask, init_app: Callable[[], None], needed: Callable[[], bool]
) -> None:
    """Run ``init_app`` (an extension's), then make the after-request and teardown hooks it
    added to ``app`` run only on requests for which ``needed()`` is true."""
    after, teardown = app.after_request_funcs[None], app.teardown_request_funcs[None]
    after_before, teardown_before = list(after), list(teardown)
    init_app()
    after[:] = [hook if hook in after_before else _after_when(hook, needed) for hook in after]
    teardown[:] = [
        hook if hook in teardown_before else _teardown_when(hook, needed) for hook in teardown
    ]


def _after_when(hook: Hook, needed: Callable[[], bool]) -> Callable[[Response], Response]:
    def after_request(response: Response) -> Response:
        return hook(response) if needed() else response

    return after_request


def _teardown_when(
    hook: Hook, needed: Callable[[], bool]
) -> Callable[[BaseException | None], None]:
    def teardown_request(error: BaseException | None) -> None:
        if needed():
            hook(error)

    return teardown_request
