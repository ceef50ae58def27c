"""Unit of work: one commit per request or task, and the actions due once it has succeeded.

A request commits when its response is a success and rolls back otherwise; a task or CLI command
wraps its work in ``unit_of_work()``. A safe request (GET, HEAD, OPTIONS) runs each statement in
a transaction of its own: it reads, and pays no BEGIN and COMMIT round trips; so does a write
whose usual work is one statement, until it asks for a transaction. Actions registered with
``after_commit`` (typically sending a Celery task for an outbox row) run only after the commit,
so a worker never sees work whose data is not yet visible, and a failed send loses nothing: the
row stays pending.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, g, request

from elearn.database import statements_commit_themselves
from elearn.extensions import db

log = logging.getLogger(__name__)

AfterCommit = Callable[[], None]
View = TypeVar("View", bound=Callable[..., Any])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class UnitOfWork:
    """Holds the actions to run once the current transaction has committed."""

    def __init__(self) -> None:
        self._after_commit: list[AfterCommit] = []
        self.keeps_refusals = False

    def after_commit(self, action: AfterCommit) -> None:
        self._after_commit.append(action)

    def keep_when_refused(self) -> None:
        """Commit this transaction even if the request answers 4xx: the refusal is recorded
        state (an upload rejected and deleted), not a request to undo. 5xx still rolls back."""
        self.keeps_refusals = True

    def commit(self) -> None:
        try:
            if _has_work():
                db.session.commit()
        except BaseException:
            # Else the session stays unusable and these actions would run at the next commit.
            self.rollback()
            raise
        actions, self._after_commit = self._after_commit, []
        for action in actions:
            try:
                action()
            except Exception:
                log.exception("after-commit action failed; the outbox sweeper will retry it")

    def rollback(self) -> None:
        if _has_work():
            db.session.rollback()
        self._after_commit.clear()
        self.keeps_refusals = False


def _has_work() -> bool:
    """Whether the session of this context began a transaction or holds changes; asking does
    not make one (a request that never touched the database has none)."""
    if not db.session.registry.has():
        return False
    session = db.session()
    return session.in_transaction() or bool(session.new or session.deleted or session.dirty)


def current() -> UnitOfWork:
    """The unit of work of the current application context."""
    if "unit_of_work" not in g:
        g.unit_of_work = UnitOfWork()
    uow: UnitOfWork = g.unit_of_work
    return uow


def after_commit(action: AfterCommit) -> None:
    """Run ``action`` once the current transaction has committed (never if it rolls back)."""
    current().after_commit(action)


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    """Commit what the block did, or roll it all back if it raised."""
    uow = current()
    try:
        yield uow
    except BaseException:
        uow.rollback()
        raise
    uow.commit()


def in_one_transaction(view: View) -> View:
    """For a safe view whose reads need a transaction (a server-side cursor streams its rows):
    its statements run in one, as a write's do. Apply it outermost, before anything reads."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        statements_commit_themselves.set(False)  # the teardown restores what came before
        return view(*args, **kwargs)

    return cast(View, wrapper)


def statements_first_commit_themselves(view: View) -> View:
    """For a write whose usual work is one statement (a save of answers on PostgreSQL): its
    statements commit themselves, as a safe request's do, without the BEGIN and COMMIT round
    trips, until it calls ``one_transaction``; the rest share one transaction, committed or
    rolled back with the request. A statement that committed itself stays committed."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if "statements_commit_themselves" not in g:
            g.statements_commit_themselves = statements_commit_themselves.set(True)
        return view(*args, **kwargs)

    return cast(View, wrapper)


def one_transaction() -> None:
    """The statements from here on share one transaction, committed or rolled back with the
    request (where statements committed themselves so far; elsewhere they already do)."""
    if not statements_commit_themselves.get():
        return
    statements_commit_themselves.set(False)  # the teardown restores what came before
    if _has_work():
        db.session.commit()  # ends the session's use of its autocommitting connection


def init_app(app: Flask) -> None:
    @app.before_request
    def _commit_each_statement_of_safe_requests() -> None:
        if request.method in SAFE_METHODS:
            g.statements_commit_themselves = statements_commit_themselves.set(True)

    @app.teardown_request
    def _transactions_again(_error: BaseException | None) -> None:
        token = g.pop("statements_commit_themselves", None)
        if token is not None:
            statements_commit_themselves.reset(token)

    @app.after_request
    def _finish_request(response: Response) -> Response:
        if "unit_of_work" not in g and not _has_work():
            return response  # nothing to commit or roll back, no action waiting for a commit
        uow = current()
        if response.status_code < 400 or (response.status_code < 500 and uow.keeps_refusals):
            uow.commit()
        else:
            uow.rollback()
        return response
