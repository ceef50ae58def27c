"""Administration headcounts stay equal to a count of the users, whatever happens to them."""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import select

from elearn.accounts import headcounts
from elearn.accounts.models import AdministrationHeadcount, Role, User
from elearn.extensions import db
from elearn.uow import unit_of_work


def stored(app):
    with app.app_context():
        rows = db.session.scalars(select(AdministrationHeadcount))
        return {
            row.administration_id: (row.trainees, row.active_trainees)
            for row in rows
            if row.trainees or row.active_trainees
        }


def counted(app):
    with app.app_context():
        totals: dict[int, Counter[str]] = {}
        for user in db.session.scalars(select(User)):
            if user.administration_id is not None and user.has_role(Role.TRAINEE):
                counts = totals.setdefault(user.administration_id, Counter())
                counts.update(trainees=1, active=int(user.active))
        return {key: (c["trainees"], c["active"]) for key, c in totals.items()}


def test_headcounts_follow_random_changes_to_people(app, client, make):
    chance = random.Random(5)
    admin = make.user(Role.ADMIN, administration=None)
    make.administration("GE")
    people = [make.user(Role.TRAINEE) for _ in range(3)]
    for step in range(40):
        action = chance.choice(["create", "roles", "active", "move"])
        if action == "create":
            response = client.post(
                "/api/v1/users",
                json={
                    "email": f"new{step}@customs.test",
                    "full_name": "New",
                    "administration": chance.choice(["AZ", "GE"]),
                    "roles": chance.choice([["trainee"], ["trainer"], ["trainee", "trainer"]]),
                },
                headers=admin.headers,
            )
            people.append(make.all(User, id=response.get_json()["id"])[0])
            continue
        person = chance.choice(people)
        changes = {
            "roles": {"roles": chance.choice([["trainee"], ["trainer"], ["trainee", "admin"]])},
            "active": {"active": chance.choice([True, False])},
            "move": {"administration": chance.choice(["AZ", "GE", None])},
        }[action]
        client.patch(f"/api/v1/users/{person.id}", json=changes, headers=admin.headers)
        assert stored(app) == counted(app), f"after {action}"
    assert stored(app)


def test_recount_rebuilds_the_headcounts(app, make):
    make.user(Role.TRAINEE)
    with app.app_context(), unit_of_work():
        db.session.execute(AdministrationHeadcount.__table__.update().values(trainees=99))
    with app.app_context(), unit_of_work():
        headcounts.recount()
    assert stored(app) == counted(app)
