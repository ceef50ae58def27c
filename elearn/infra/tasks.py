"""Celery bound to the Flask app: every task runs in an app context and one unit of work.

Tasks take ids, never ORM objects. They are acknowledged late (a worker killed mid-task leaves
the message to be redelivered), time-limited, and retried with exponential backoff and jitter:
``max_retries`` times for a failure of their own, and for as long as
``ELEARN_TASK_RETRY_HORIZON_HOURS`` when a service they need is unavailable (``unavailable``).
A task sent through the outbox carries ``outbox_id``; it claims its row in the same transaction
as its own changes, and a second delivery of the same row does nothing. Each retry postpones
its row's next sweep until the retry is overdue, so the sweeper re-sends only lost work. Domain
tasks live in ``elearn/<domain>/tasks.py`` and are found by name, so a new domain needs no
registration here.
"""

from __future__ import annotations

import logging
import pkgutil
import time
from functools import partial
from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery.exceptions import Ignore, Reject, Retry
from celery.utils.time import get_exponential_backoff_interval
from flask import Flask
from sqlalchemy.exc import DBAPIError

from elearn import health
from elearn.config import Settings, current_settings
from elearn.errors import database_unavailable
from elearn.infra import outbox
from elearn.infra.broker import check_broker, transport_for
from elearn.infra.storage import StorageUnavailable
from elearn.uow import unit_of_work

log = logging.getLogger(__name__)

QUEUES = outbox.QUEUES
TIME_LIMIT_SECONDS = 300
SOFT_TIME_LIMIT_SECONDS = 240
SWEEP_EVERY_SECONDS = 15.0
# The time of a task's first attempt, carried by its retries (like ``outbox_id``).
FIRST_TRIED_AT = "first_tried_at"
BROKER_CONNECT_TIMEOUT_SECONDS = 1
# A read from the broker (a publish's reply); above kombu's 1 s BRPOP, which the worker waits on.
BROKER_READ_TIMEOUT_SECONDS = 1.5
# The most one publish can take, connect, send and reply included, with no retry: a refused
# connection fails in milliseconds, a silent host after the connect timeout, a broker that
# accepts and never answers after the read timeout.
PUBLISH_BUDGET_SECONDS = BROKER_CONNECT_TIMEOUT_SECONDS + BROKER_READ_TIMEOUT_SECONDS


class TaskDatabaseError(Exception):
    """A task's database error retold without the row values the database echoes back."""


def loggable(error: Exception) -> Exception:
    """``error``, or for a database error a copy that names the failure but no values."""
    if not isinstance(error, DBAPIError):
        return error
    # PostgreSQL's DETAIL line ("Failing row contains (...)", "Key (email)=(...)") holds data.
    reason = str(error.orig).splitlines()[0] if error.orig is not None else ""
    summary = (
        f"{type(error).__name__} ({type(error.orig).__name__}): {reason} [SQL: {error.statement}]"
    )
    return TaskDatabaseError(summary).with_traceback(error.__traceback__)


def unavailable(error: Exception) -> bool:
    """Whether ``error`` is a service being unavailable (storage, database) rather than a
    failure of the work itself: retried up to the horizon, never a reason to give up sooner."""
    return isinstance(error, StorageUnavailable) or database_unavailable(error)


class AppTask(Task):
    """Base class of every elearn task."""

    acks_late = True
    reject_on_worker_lost = True
    max_retries = 5
    retry_backoff = 2
    retry_backoff_max = 300
    retry_jitter = True
    # ``outbox_id`` travels as an extra keyword that ``__call__`` removes before ``run``;
    # ``outbox.enqueue`` checks the task's own arguments instead.
    typing = False
    # Whether a delivery waits for another transaction holding its outbox row (see
    # ``outbox.claim``); a task whose rows are also claimed in batches does not.
    claim_waits = True
    flask_app: Flask

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        outbox_id = kwargs.pop("outbox_id", None)
        first_tried_at = kwargs.pop(FIRST_TRIED_AT, None) or time.time()
        try:
            with self.flask_app.app_context(), unit_of_work():
                if outbox_id is not None and not outbox.claim(
                    outbox_id, self.name, wait=self.claim_waits
                ):
                    log.info("%s: outbox message %s already handled", self.name, outbox_id)
                    return None
                return self.run(*args, **kwargs)
        except (Ignore, Reject, Retry):
            raise
        except Exception as error:
            failure = loggable(error)
            keep_trying = unavailable(error) and self._within_horizon(first_tried_at)
        # Retried here rather than with autoretry_for, so that a failing commit (deadlock, lost
        # connection) is retried too; raised outside the except block so the log shows no chain.
        countdown = self.backoff()
        max_retries = self.request.retries + 1 if keep_trying else self.max_retries
        if outbox_id is not None and self.request.retries < max_retries:
            self._postpone(outbox_id, countdown)
        raise self.retry(
            exc=failure,
            countdown=countdown,
            kwargs={**(self.request.kwargs or {}), FIRST_TRIED_AT: first_tried_at},
            max_retries=max(max_retries, self.max_retries),
        )

    def _within_horizon(self, first_tried_at: float) -> bool:
        if self.request.is_eager:
            return False  # in a request: the row stays pending for the sweeper instead
        with self.flask_app.app_context():
            horizon = current_settings().task_retry_horizon_hours * 3600
        return time.time() - first_tried_at < horizon

    def _postpone(self, outbox_id: int, countdown: int) -> None:
        """Keep the sweeper off this row until the retry is overdue (best effort: with the
        database down the sweeper may send it again, which the claim makes harmless)."""
        try:
            with self.flask_app.app_context(), unit_of_work():
                outbox.postpone(outbox_id, countdown)
        except Exception as error:
            log.warning("outbox message %s not postponed: %s", outbox_id, type(error).__name__)

    def backoff(self) -> int:
        return backoff_seconds(self.request.retries)


def backoff_seconds(retries: int) -> int:
    """Seconds before the next attempt: exponential in the retries so far, with full jitter."""
    return int(
        get_exponential_backoff_interval(
            factor=AppTask.retry_backoff,
            retries=retries,
            maximum=AppTask.retry_backoff_max,
            full_jitter=AppTask.retry_jitter,
        )
    )


def celery_config(settings: Settings) -> dict[str, Any]:
    return {
        "broker_url": settings.broker_url or "memory://localhost/",
        "broker_transport": transport_for(settings.broker_url or ""),
        "result_backend": None,
        "task_ignore_result": True,
        "task_always_eager": settings.tasks_eager,
        "task_eager_propagates": False,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_time_limit": TIME_LIMIT_SECONDS,
        "task_soft_time_limit": SOFT_TIME_LIMIT_SECONDS,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": "default",
        "task_create_missing_queues": True,
        # A request must not wait on a dead broker: no retry (PUBLISH_BUDGET_SECONDS at most),
        # the row stays pending for the sweeper.
        "task_publish_retry": False,
        "broker_connection_timeout": BROKER_CONNECT_TIMEOUT_SECONDS,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            # Longer than any task's time limit plus its longest retry countdown, so Redis
            # never hands a message that is still being worked on to a second worker.
            "visibility_timeout": 3600,
            # Redis ignores broker_connection_timeout; without these a silent host or a hung
            # broker blocks a publish for minutes. The read timeout must exceed kombu's 1 s BRPOP.
            "socket_connect_timeout": BROKER_CONNECT_TIMEOUT_SECONDS,
            "socket_timeout": BROKER_READ_TIMEOUT_SECONDS,
        },
        "timezone": "UTC",
        "enable_utc": True,
        "beat_schedule_filename": str(Path(settings.instance_path) / "celerybeat-schedule"),
        "beat_schedule": {
            "outbox-sweep": {
                "task": "elearn.outbox.sweep",
                "schedule": SWEEP_EVERY_SECONDS,
                # A sweep nobody picked up before the next one is due is worthless.
                "options": {"queue": "default", "expires": SWEEP_EVERY_SECONDS},
            },
            "notifications-retry": {
                "task": "elearn.notifications.retry_due",
                "schedule": SWEEP_EVERY_SECONDS,
                "options": {"queue": "mail", "expires": SWEEP_EVERY_SECONDS},
            },
            "quiz-attempts-expiry": {
                "task": "elearn.quizzes.expire_attempts",
                "schedule": SWEEP_EVERY_SECONDS,
                "options": {"queue": "default", "expires": SWEEP_EVERY_SECONDS},
            },
            "certificate-exports-expire": {
                "task": "elearn.certificates.remove_old_exports",
                "schedule": 3600.0,
                "options": {"queue": "default", "expires": 3600.0},
            },
            "enrolments-expire": {
                "task": "elearn.enrolments.expire_overdue",
                "schedule": 3600.0,
                "options": {"queue": "default", "expires": 3600.0},
            },
            # A safety net: the tallies move in every enrolment's transaction; this finds (and
            # logs) the rows anything else left wrong.
            "enrolments-reconcile-tallies": {
                "task": "elearn.enrolments.reconcile_tallies",
                "schedule": 86400.0,
                "options": {"queue": "default", "expires": 3600.0},
            },
            # One beat per reminder concern; each is idempotent (dedupe keys), so a late or
            # doubled tick sends nothing twice.
            **{
                f"notifications-{name.replace('_', '-')}": {
                    "task": f"elearn.notifications.{name}",
                    "schedule": 3600.0,
                    "options": {"queue": "default", "expires": 3600.0},
                }
                for name in ("send_due_soon", "send_idle_nudges", "send_weekly_digests")
            },
            "media-stale-uploads": {
                "task": "elearn.media.remove_stale_uploads",
                "schedule": 3600.0,
                "options": {"queue": "default", "expires": 3600.0},
            },
        },
    }


def task_packages() -> list[str]:
    """Every subpackage of elearn; those with a ``tasks`` module contribute tasks."""
    package_folder = Path(__file__).resolve().parents[1]
    return [
        f"elearn.{module.name}"
        for module in pkgutil.iter_modules([str(package_folder)])
        if module.ispkg
    ]


def make_celery(app: Flask, settings: Settings) -> Celery:
    """A Celery app whose tasks run inside ``app``; it is not installed on ``app``."""

    class FlaskTask(AppTask):
        flask_app = app
        # In eager mode a failed task leaves its row pending for the sweeper instead of
        # retrying on the spot, inside the request that sent it.
        max_retries = 0 if settings.tasks_eager else AppTask.max_retries

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_config(settings))
    celery_app.autodiscover_tasks(task_packages, force=True)
    return celery_app


def celery_init_app(app: Flask, settings: Settings) -> Celery:
    """Create the Celery app of ``app`` and keep it in ``app.extensions["celery"]``."""
    celery_app = make_celery(app, settings)
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    if not settings.tasks_eager:
        # Reported, never required: without the broker requests still succeed and their work
        # waits in the outbox, so a Redis outage must not take every API instance out of service.
        health.register_readiness_check(
            app, "broker", partial(_check_app_broker, app), required=False
        )
    return celery_app


def _check_app_broker(app: Flask) -> None:
    check_broker(app.extensions["celery"])
