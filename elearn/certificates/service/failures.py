"""Background work on certificates that is retried, and recorded as failed on its last attempt.

A task body runs inside a savepoint: a failure before the last attempt is raised, so the task
(``AppTask``) rolls everything back and retries with backoff. An unavailable service (storage,
database) is never a reason to give up: it is always raised, and the task keeps retrying up to
``ELEARN_TASK_RETRY_HORIZON_HOURS``, then leaves the row to the sweeper. On the last attempt a
real failure (a refused key, a storage error, a bug) is recorded instead: the savepoint
alone is rolled back and the row is marked failed in the task's own transaction, together with
its outbox claim, so the work is not sent again. The reason stored is written for people: it
names what failed, never a value, a host or a secret; the details go to the worker's log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError

from elearn.certificates.credentials.keys import SigningKeyUnavailable
from elearn.extensions import db
from elearn.infra.storage import StorageAuthError, StorageError, StorageUnavailable
from elearn.infra.tasks import loggable, unavailable

log = logging.getLogger(__name__)

_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (StorageUnavailable, "The file store could not be reached."),
    (StorageAuthError, "The file store refused the platform's credentials."),
    (StorageError, "The file store failed."),
    (
        SigningKeyUnavailable,
        "The signing key cannot be unsealed; an administrator must run `elearn keys generate`.",
    ),
    (DBAPIError, "A database error occurred."),
)


def failure_reason(error: Exception) -> str:
    """A short account of ``error`` that is safe to store and show."""
    for kind, reason in _REASONS:
        if isinstance(error, kind):
            return reason
    return f"Unexpected error ({type(error).__name__})."


def attempt(work: Callable[[], None], *, last: bool, give_up: Callable[[str], None]) -> None:
    """Run ``work``; if it fails, raise to be retried, or on the ``last`` attempt ``give_up``
    (unless a service it needs is unavailable: that is always retried)."""
    if not last:
        work()  # a failure rolls the task's whole transaction back: no savepoint needed
        return
    try:
        with db.session.begin_nested():
            work()
    except Exception as error:
        if unavailable(error):
            raise
        log.error("certificate work failed for good", exc_info=loggable(error))
        give_up(failure_reason(error))
