"""Who may call each accounts, audit and health endpoint: every actor, every endpoint."""

from __future__ import annotations

import pytest

from elearn.accounts import passwords, tokens
from elearn.accounts.models import Role, User
from elearn.extensions import db
from tests.authorization import Case, check, expect
from tests.factories import DEFAULT_PASSWORD

EVERYONE = expect(200, 200, 200, 200, 200, 200)
SIGNED_IN = expect(401, 200, 200, 200, 200, 200)
ADMINS = expect(401, 403, 403, 403, 403, 200)
NEW_ADMINISTRATION = {"code": "XK", "names": {"en": "Kosovo Customs"}, "region": "Europe"}

CASES = [
    # sessions and one-time links: public
    Case(
        "POST",
        "/api/v1/auth/login",
        EVERYONE,
        json={"email": "{az_trainee_email}", "password": DEFAULT_PASSWORD},
    ),
    Case("POST", "/api/v1/auth/logout", expect(401, 204, 204, 204, 204, 204), json={}),
    Case(
        "POST",
        "/api/v1/auth/password-reset",
        expect(202, 202, 202, 202, 202, 202),
        json={"email": "{az_trainee_email}"},
    ),
    Case(
        "POST",
        "/api/v1/auth/set-password",
        expect(204, 401, 401, 401, 401, 401),
        json={"token": "{set_password_link}", "password": "a brand new secret"},
        name="set-password: public, and a link works once whoever holds it",
    ),
    # the caller
    Case("GET", "/api/v1/me", SIGNED_IN),
    Case("PATCH", "/api/v1/me", SIGNED_IN, json={"full_name": "Renamed {actor}"}),
    Case("GET", "/api/v1/me/tokens", SIGNED_IN),
    Case("POST", "/api/v1/me/tokens", expect(401, 201, 201, 201, 201, 201), json={"name": "ci"}),
    Case(
        "DELETE",
        "/api/v1/me/tokens/{trainee_token_id}",
        expect(401, 204, 404, 404, 404, 404),
        name="DELETE a token: only its owner, others do not see it",
    ),
    # administrations
    Case("GET", "/api/v1/administrations", SIGNED_IN),
    Case(
        "POST",
        "/api/v1/administrations",
        expect(401, 403, 403, 403, 403, 201),
        json=NEW_ADMINISTRATION,
    ),
    Case("GET", "/api/v1/administrations/GE", SIGNED_IN),
    Case("PATCH", "/api/v1/administrations/GE", ADMINS, json={"region": "Europe"}),
    # people
    Case("GET", "/api/v1/users", expect(401, 403, 403, 200, 200, 200)),
    Case(
        "POST",
        "/api/v1/users",
        expect(401, 403, 403, 201, 403, 201),
        json={
            "email": "{actor}@new.customs.az",
            "full_name": "New Officer",
            "administration": "AZ",
        },
        name="POST /users: a trainee of AZ",
    ),
    Case(
        "POST",
        "/api/v1/users",
        expect(401, 403, 403, 403, 403, 201),
        json={
            "email": "{actor}@new.customs.az",
            "full_name": "New Trainer",
            "administration": "AZ",
            "roles": ["trainer"],
        },
        name="POST /users: granting a role beyond trainee",
    ),
    Case(
        "GET",
        "/api/v1/users/{az_trainee_id}",
        expect(401, 404, 404, 200, 404, 200),
        name="GET a trainee of AZ",
    ),
    Case(
        "GET",
        "/api/v1/users/{ge_trainee_id}",
        expect(401, 404, 404, 404, 200, 200),
        name="GET a trainee of GE",
    ),
    Case(
        "GET",
        "/api/v1/users/{trainee_id}",
        expect(401, 200, 404, 200, 404, 200),
        name="GET the trainee actor: themselves, their contact point, admins",
    ),
    Case(
        "PATCH",
        "/api/v1/users/{az_trainee_id}",
        expect(401, 404, 404, 200, 404, 200),
        json={"active": False},
        name="PATCH deactivates a trainee of AZ",
    ),
    Case(
        "PATCH",
        "/api/v1/users/{az_trainee_id}",
        expect(401, 404, 404, 403, 404, 200),
        json={"roles": ["trainee", "trainer"]},
        name="PATCH grants a role to a trainee of AZ",
    ),
    Case(
        "PATCH",
        "/api/v1/users/{az_trainer_id}",
        expect(401, 404, 404, 403, 404, 200),
        json={"full_name": "Renamed"},
        name="PATCH a trainer of AZ: staff are the admins' to edit",
    ),
    Case(
        "POST",
        "/api/v1/users/import",
        expect(401, 403, 403, 200, 403, 200),
        json={"administration": "AZ"},
        upload="email,full_name,unit\n{actor}@import.customs.az,Imported,Port\n",
        name="POST /users/import: officers of AZ",
    ),
    Case(
        "PATCH",
        "/api/v1/users/{az_trainee_id}",
        expect(401, 404, 404, 200, 404, 200),
        json={"personnel_number": "{actor}", "unit": "Port"},
        name="PATCH the personnel number and unit of a trainee of AZ",
    ),
    # audit and probes
    Case("GET", "/api/v1/audit-events", ADMINS),
    Case("GET", "/health/live", EVERYONE),
    Case("GET", "/health/ready", EVERYONE),
]


@pytest.fixture
def world(app, make, actors):
    az_trainee = make.user(Role.TRAINEE, administration="AZ")
    owner = actors["trainee"]
    with app.app_context():
        link = passwords.make_set_password_token(db.session.get(User, az_trainee.id))
        spare, _ = tokens.create_token(db.session.get(User, owner.id), "spare", None)
        db.session.commit()
        trainee_token_id = spare.id
    return {
        "az_trainee_id": az_trainee.id,
        "az_trainee_email": az_trainee.email,
        "az_trainer_id": make.user(Role.TRAINER, administration="AZ").id,
        "ge_trainee_id": make.user(Role.TRAINEE, administration="GE").id,
        "trainee_id": owner.id,
        "trainee_token_id": trainee_token_id,
        "set_password_link": link,
    }


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_authorization(case, client, actors, world):
    check(case, client, actors, world)
