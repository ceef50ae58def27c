"""The beat task removes uploads left pending (or refused) for longer than the configured age."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from elearn import clock
from elearn.infra.storage import storage
from elearn.infra.tasks import celery_config
from elearn.media.models import MediaAsset
from tests.media.samples import PDF, PNG

TASK = "elearn.media.remove_stale_uploads"


def run_task(app) -> int:
    result = app.extensions["celery"].tasks[TASK].apply()
    assert result.successful(), result.traceback
    return result.result


def stored(app, key: str) -> bool:
    with app.app_context():
        return storage().exists(key)


def test_uploads_older_than_a_day_are_removed_with_their_objects(
    app, flow, courses, trainer, make, frozen_clock
):
    start = clock.now()
    frozen_clock(start)
    course = courses.build(owners=[trainer])
    pending = flow.start(trainer, course.id, PDF).json
    assert flow.send(pending, PDF).status == 204
    refused = flow.start(trainer, course.id, PDF, "image/png").json
    assert flow.send(refused, PDF).status == 204
    assert flow.complete(trainer, refused["asset"]["id"]).status_code == 422
    ready = flow.ready(trainer, course.id, PNG, "image/png")
    frozen_clock(start + timedelta(hours=23))
    young = flow.start(trainer, course.id, PDF).json
    assert flow.send(young, PDF).status == 204
    keys = {row.id: row.storage_key for row in make.all(MediaAsset)}

    frozen_clock(start + timedelta(hours=24) - timedelta(seconds=1))
    early = run_task(app)
    frozen_clock(start + timedelta(hours=24))
    removed = run_task(app)
    again = run_task(app)

    assert (early, removed, again) == (0, 2, 0)
    assert [row.id for row in make.all(MediaAsset)] == [ready["id"], young["asset"]["id"]]
    assert not stored(app, keys[pending["asset"]["id"]])
    assert stored(app, keys[young["asset"]["id"]])
    assert stored(app, keys[ready["id"]])


def test_the_age_is_configurable(
    app, local_flow, courses, trainer, make, frozen_clock, monkeypatch
):
    start = clock.now()
    frozen_clock(start)
    course = courses.build(owners=[trainer])
    local_flow.start(trainer, course.id)
    settings = replace(app.extensions["elearn.settings"], media_stale_upload_hours=2)
    monkeypatch.setitem(app.extensions, "elearn.settings", settings)

    frozen_clock(start + timedelta(hours=2))

    assert run_task(app) == 1
    assert make.count(MediaAsset) == 0


def test_beat_runs_the_task_every_hour(settings):
    schedule = celery_config(settings)["beat_schedule"]

    assert {
        entry["task"]: entry["schedule"] for entry in schedule.values() if entry["task"] == TASK
    } == {TASK: 3600.0}
