"""Celery bound to the Flask app: every task runs in an app context and one unit of work.

Tasks take ids, never ORM objects. They are acknowledged late (a worker killed mid-task leaves
the message to be redelivered), time-limited, and retried with exponential backoff and jitter.
A task sent through the outbox carries ``outbox_id``; its row is marked delivered in the same
transaction as the task's own changes, and a second delivery of the same row does nothing.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask

from elearn.config import Settings
from elearn.infra import outbox
from elearn.uow import unit_of_work

QUEUES = ("default", "certificates", "mail")


class AppTask(Task):
    """Base class of every elearn task."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (Exception,)
    retry_backoff = 2
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 5
    flask_app: Flask

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        outbox_id = kwargs.pop("outbox_id", None)
        with self.flask_app.app_context(), unit_of_work():
            if outbox_id is not None and not outbox.claim(outbox_id):
                return None
            result = self.run(*args, **kwargs)
            if outbox_id is not None:
                outbox.mark_delivered(outbox_id)
            return result


def celery_config(settings: Settings) -> dict[str, Any]:
    return {
        "broker_url": settings.broker_url or "memory://",
        "result_backend": None,
        "task_ignore_result": True,
        "task_always_eager": settings.tasks_eager,
        "task_eager_propagates": False,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_time_limit": 300,
        "task_soft_time_limit": 240,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": "default",
        "task_create_missing_queues": True,
        "task_publish_retry_policy": {
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        "broker_connection_timeout": 2,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {"visibility_timeout": 3600},
        "timezone": "UTC",
        "enable_utc": True,
        "beat_schedule": {
            "outbox-sweep": {"task": "elearn.outbox.sweep", "schedule": 60.0},
            "quiz-attempts-expiry": {"task": "elearn.quizzes.expire_attempts", "schedule": 60.0},
        },
    }


def celery_init_app(app: Flask, settings: Settings) -> Celery:
    """Create the Celery app of ``app`` and keep it in ``app.extensions["celery"]``."""

    class FlaskTask(AppTask):
        abstract = True
        flask_app = app

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_config(settings))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
