"""Enrolment tallies stay equal to a recount of the enrolments, whatever happens to them."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from sqlalchemy import select

from elearn import clock
from elearn.accounts.models import Role, User
from elearn.enrolments.models import Enrolment, EnrolmentTally
from elearn.enrolments.service import changes, tallies
from elearn.extensions import db
from elearn.uow import unit_of_work
from tests.enrolments.conftest import days, in_parallel


def stored(app):
    with app.app_context():
        return {
            (row.administration_id, row.course_id, row.run_key): Counter(
                {name: getattr(row, name) for name in tallies.COUNTERS if getattr(row, name)}
            )
            for row in db.session.scalars(select(EnrolmentTally))
            if any(getattr(row, name) for name in tallies.COUNTERS)
        }


def recounted(app):
    """The tallies counted from scratch, in Python, from the enrolments as they are."""
    with app.app_context():
        expected: dict[tuple[int, int, int], Counter[str]] = {}
        rows = db.session.execute(
            select(User.administration_id, Enrolment).join(User, User.id == Enrolment.user_id)
        )
        for administration_id, enrolment in rows:
            if administration_id is None:
                continue
            key = (administration_id, enrolment.course_id, enrolment.run_id or 0)
            expected.setdefault(key, Counter()).update(tallies.standing(enrolment).counters())
        return {key: +counts for key, counts in expected.items()}


def reconcile(app):
    """The daily beat task, as the worker runs it; how many tallies it corrected."""
    with app.app_context():
        return app.extensions["celery"].tasks["elearn.enrolments.reconcile_tallies"]()


def expire(app):
    with app.app_context(), unit_of_work():
        changes.expire_overdue()


def test_tallies_follow_random_enrolment_changes(app, client, make, learning):
    chance = random.Random(11)
    admin = make.user(Role.ADMIN, administration=None)
    courses = [learning.course("text", "text"), learning.course("text", due_days=3)]
    run_course = learning.course("text")
    runs = [learning.run(run_course), learning.run(run_course, name="Autumn")]
    people = [make.user(Role.TRAINEE, administration=chance.choice(["AZ", "GE"])) for _ in range(6)]
    enrolments: list[tuple] = []
    for _step in range(60):
        action = chance.choice(["enrol", "enrol", "bulk", "lesson", "withdraw", "move", "expire"])
        person = chance.choice(people)
        if action == "enrol":
            course = chance.choice([*courses, run_course])
            body = {"run_id": chance.choice(runs)} if course is run_course else {}
            response = client.post(
                f"/api/v1/courses/{course.id}/enrolments", json=body, headers=person.headers
            )
            if response.status_code in (200, 201):
                enrolments.append((person, course, response.get_json()["id"]))
        elif action == "bulk":
            client.post(
                "/api/v1/enrolments/bulk",
                json={
                    "course_id": run_course.id,
                    "run_id": chance.choice(runs),
                    "user_ids": [p.id for p in chance.sample(people, 3)],
                },
                headers=admin.headers,
            )
        elif action == "lesson" and enrolments:
            person, course, enrolment_id = chance.choice(enrolments)
            learning.complete(person, enrolment_id, chance.choice(course.lessons))
        elif action == "withdraw" and enrolments:
            person, _course, enrolment_id = chance.choice(enrolments)
            client.patch(
                f"/api/v1/enrolments/{enrolment_id}",
                json={"status": "withdrawn"},
                headers=person.headers,
            )
        elif action == "move":
            client.patch(
                f"/api/v1/users/{person.id}",
                json={"administration": chance.choice(["AZ", "GE", None])},
                headers=admin.headers,
            )
        elif action == "expire":
            clock.freeze(clock.now() + days(4))
            try:
                expire(app)
            finally:
                clock.freeze(None)
        assert stored(app) == recounted(app), f"after {action}"
    assert stored(app)
    assert reconcile(app) == 0


def test_recount_rebuilds_the_tallies(app, make, learning):
    course = learning.course("text")
    learning.enrol(make.user(Role.TRAINEE), course)
    with app.app_context(), unit_of_work():
        db.session.execute(EnrolmentTally.__table__.update().values(enrolled=99))
    with app.app_context(), unit_of_work():
        tallies.recount()
    assert stored(app) == recounted(app)


def test_the_daily_reconciliation_corrects_only_the_tallies_that_differ(
    app, make, learning, caplog
):
    courses = [learning.course("text"), learning.course("text")]
    for administration in ("AZ", "GE"):
        for course in courses:
            learning.enrol(make.user(Role.TRAINEE, administration=administration), course)
    truth = stored(app)
    some_key = sorted(truth)[0]
    with app.app_context(), unit_of_work():
        table = EnrolmentTally.__table__
        db.session.execute(
            table.update()
            .where(table.c.administration_id == some_key[0], table.c.course_id == some_key[1])
            .values(enrolled=99, active=0)
        )
        db.session.execute(table.delete().where(table.c.course_id == courses[1].id))
        db.session.execute(
            table.insert().values(
                administration_id=some_key[0], course_id=courses[0].id, run_key=12345, enrolled=3
            )
        )

    corrected = reconcile(app)

    assert corrected == 1 + 2 + 1
    assert stored(app) == truth == recounted(app)
    assert "enrolment tallies corrected to a recount: 4 row(s)" in caplog.text
    assert reconcile(app) == 0


def test_the_reconciliation_runs_daily_on_the_beat(app):
    entry = app.extensions["celery"].conf.beat_schedule["enrolments-reconcile-tallies"]

    assert (entry["task"], entry["schedule"]) == ("elearn.enrolments.reconcile_tallies", 86400.0)


@pytest.mark.parametrize("round_", range(2))
def test_concurrent_changes_add_up(committed_data, app, make, learning, round_):
    course = learning.course("text", "text")
    people = [make.user(Role.TRAINEE, administration="AZ") for _ in range(8)]
    enrolled = [learning.enrol(person, course)["id"] for person in people[:4]]

    def enrol(person):
        return lambda client: client.post(
            f"/api/v1/courses/{course.id}/enrolments", json={}, headers=person.headers
        )

    def finish(person, enrolment_id):
        return lambda client: client.post(
            f"/api/v1/enrolments/{enrolment_id}/lessons/{course.lessons[0]}/complete",
            headers=person.headers,
        )

    def withdraw(person, enrolment_id):
        return lambda client: client.patch(
            f"/api/v1/enrolments/{enrolment_id}",
            json={"status": "withdrawn"},
            headers=person.headers,
        )

    responses = in_parallel(
        app,
        [
            *(enrol(person) for person in people[4:]),
            *(finish(person, e) for person, e in zip(people[:2], enrolled[:2], strict=True)),
            *(withdraw(person, e) for person, e in zip(people[2:4], enrolled[2:4], strict=True)),
        ],
    )

    assert all(response.status_code in (200, 201) for response in responses)
    assert stored(app) == recounted(app)
    assert reconcile(app) == 0
    [counts] = stored(app).values()
    assert (counts["enrolled"], counts["withdrawn"], counts["progress_total"]) == (6, 2, 100)
