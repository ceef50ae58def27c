"""A course's media for its editors: the list (paged, filtered) and one asset."""

from __future__ import annotations

from tests.http import assert_problem, links
from tests.media.samples import MP4, PDF


def listing(client, person, course_id, query=""):
    return client.get(f"/api/v1/courses/{course_id}/media{query}", headers=person.headers)


def test_editors_list_a_courses_media_newest_first_and_filtered(
    client, local_flow, courses, trainer
):
    course = courses.build(owners=[trainer])
    other = courses.build(owners=[trainer])
    pdf = local_flow.ready(trainer, course.id, PDF)
    video = local_flow.ready(trainer, course.id, MP4, "video/mp4")
    pending = local_flow.start(trainer, course.id).json["asset"]
    local_flow.ready(trainer, other.id)

    everything = listing(client, trainer, course.id)
    ready = listing(client, trainer, course.id, "?status=ready")
    videos = listing(client, trainer, course.id, "?kind=video")
    paged = listing(client, trainer, course.id, "?per_page=2&page=2")

    assert [asset["id"] for asset in everything.json] == [pending["id"], video["id"], pdf["id"]]
    assert everything.headers["X-Total-Count"] == "3"
    assert everything.json[1] == video
    assert [asset["id"] for asset in ready.json] == [video["id"], pdf["id"]]
    assert [asset["id"] for asset in videos.json] == [video["id"]]
    assert [asset["id"] for asset in paged.json] == [pdf["id"]]
    assert set(links(paged)) == {"first", "prev", "last"}


def test_bad_filters_are_refused(client, courses, trainer):
    course = courses.build(owners=[trainer])

    assert_problem(listing(client, trainer, course.id, "?status=lost"), 422, fields=["status"])
    assert_problem(listing(client, trainer, course.id, "?per_page=101"), 422, fields=["per_page"])


def test_the_list_costs_the_same_queries_for_three_or_thirty_assets(
    client, local_flow, courses, trainer, queries
):
    small, large = courses.build(owners=[trainer]), courses.build(owners=[trainer])
    for _ in range(3):
        local_flow.start(trainer, small.id)
    for _ in range(30):
        local_flow.start(trainer, large.id)

    queries.reset()
    assert len(listing(client, trainer, small.id).json) == 3
    few = queries.count
    queries.reset()
    assert len(listing(client, trainer, large.id, "?per_page=30").json) == 30
    many = queries.count

    assert few == many
    assert many <= 9, queries.statements


def test_one_asset_costs_a_fixed_number_of_queries(client, local_flow, courses, trainer, queries):
    course = courses.build(owners=[trainer])
    asset = local_flow.ready(trainer, course.id)

    queries.reset()
    response = client.get(f"/api/v1/media/{asset['id']}", headers=trainer.headers)

    assert response.json == asset
    assert queries.count <= 8, queries.statements
