"""Who gets a file: course editors, and whoever may see a lesson that shows it; others 404."""

from __future__ import annotations

from datetime import timedelta

import pytest

from elearn import clock
from elearn.accounts.models import Role
from tests.http import assert_problem
from tests.media.samples import MP4


@pytest.fixture
def shown(courses, trainer, show):
    """``shown(**course)``: a ready video shown in a lesson of a new course; (course, asset)."""

    def build(**options):
        course = courses.build(owners=[trainer], lessons=1, **options)
        return course, show(trainer, course)

    return build


def test_the_redirect_is_a_short_lived_url_that_no_cache_keeps(
    local_flow, shown, trainee, frozen_clock
):
    frozen_clock(clock.now())
    _, asset = shown()

    redirect, download = local_flow.fetch(trainee, asset["id"])
    local_flow.backend.let_pass(timedelta(minutes=5))
    expired = local_flow.backend.get(redirect.headers["Location"])

    assert redirect.status_code == 302
    assert redirect.headers["Cache-Control"] == "no-store"
    assert (download.status, download.body) == (200, MP4)
    assert download.headers["Content-Type"] == "video/mp4"
    assert expired.status == 403


def test_a_trainee_of_another_administration_does_not_see_a_restricted_courses_media(
    local_flow, shown, make, trainee
):
    make.administration("GE")
    georgian = make.user(Role.TRAINEE, administration="GE")
    _, asset = shown(administrations=["GE"])

    assert local_flow.fetch(georgian, asset["id"])[1].body == MP4
    assert_problem(local_flow.fetch(trainee, asset["id"])[0], 404)


def test_media_of_a_draft_course_is_for_its_editors_only(local_flow, shown, trainer, trainee):
    _, asset = shown(status="draft")

    assert local_flow.fetch(trainer, asset["id"])[1].body == MP4
    assert_problem(local_flow.fetch(trainee, asset["id"])[0], 404)


def test_an_asset_no_lesson_shows_is_for_its_editors_only(
    local_flow, courses, trainer, trainee, make
):
    course = courses.build(owners=[trainer])
    asset = local_flow.ready(trainer, course.id)
    admin = make.user(Role.ADMIN, administration=None)

    assert local_flow.fetch(trainer, asset["id"])[0].status_code == 302
    assert local_flow.fetch(admin, asset["id"])[0].status_code == 302
    assert_problem(local_flow.fetch(trainee, asset["id"])[0], 404)
    assert_problem(local_flow.fetch(None, asset["id"])[0], 401)
    assert_problem(local_flow.fetch(trainee, asset["id"] + 1000)[0], 404)


def test_an_incomplete_upload_has_no_content_yet(local_flow, courses, trainer, trainee):
    course = courses.build(owners=[trainer])
    asset_id = local_flow.start(trainer, course.id).json["asset"]["id"]

    assert_problem(local_flow.fetch(trainer, asset_id)[0], 409)
    assert_problem(local_flow.fetch(trainee, asset_id)[0], 404)


def test_media_of_an_archived_lesson_stays_visible(client, local_flow, shown, trainer, trainee):
    course, asset = shown()
    lesson_id = course.lesson_ids[0][0]
    archived = client.post(
        f"/api/v1/courses/{course.id}/lessons/{lesson_id}/archive", headers=trainer.headers
    )

    assert archived.status_code == 200
    assert local_flow.fetch(trainee, asset["id"])[0].status_code == 302
