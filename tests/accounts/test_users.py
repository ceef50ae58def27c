from __future__ import annotations

import pytest

from elearn.accounts.models import ApiToken, Role, User
from elearn.audit.models import AuditEvent
from tests.http import assert_problem, links

URL = "/api/v1/users"


@pytest.fixture
def admin(make):
    return make.user(Role.ADMIN, administration=None)


@pytest.fixture
def contact_point(make):
    make.administration("GE")
    return make.user(Role.CONTACT_POINT, administration="AZ")


def new_user(**overrides):
    return {
        "email": "rashad.aliyev@customs.gov.az",
        "full_name": "Rashad Aliyev",
        "administration": "AZ",
        **overrides,
    }


def audit(make, action, user_id):
    return make.all(AuditEvent, action=action, object_id=str(user_id))


# creating


@pytest.mark.parametrize("role", list(Role))
def test_admin_creates_a_user_of_any_role_and_it_is_audited(client, make, admin, role):
    make.administration("AZ")

    response = client.post(
        URL, json=new_user(roles=[role.value], language="ru"), headers=admin.headers
    )

    assert response.status_code == 201
    body = response.json
    assert (body["email"], body["administration"], body["roles"], body["language"]) == (
        "rashad.aliyev@customs.gov.az",
        "AZ",
        [role.value],
        "ru",
    )
    assert not {"password", "password_hash"} & set(body)
    stored = make.get(User, body["id"])
    assert stored.password_hash is None
    assert stored.roles == {role}
    [event] = audit(make, "user.created", body["id"])
    assert (event.actor_id, event.details["roles"]) == (admin.id, [role.value])


def test_admin_creates_regional_staff_outside_any_administration_with_a_password(
    client, make, admin
):
    body = new_user(roles=["trainer", "admin"], password="a long password")
    del body["administration"]

    response = client.post(URL, json=body, headers=admin.headers)

    assert response.status_code == 201
    assert response.json["administration"] is None
    assert response.json["roles"] == ["admin", "trainer"]
    login = client.post(
        "/api/v1/auth/login",
        json={"email": "rashad.aliyev@customs.gov.az", "password": "a long password"},
    )
    assert login.status_code == 200


def test_contact_point_creates_a_trainee_of_their_own_administration(client, make, contact_point):
    response = client.post(URL, json=new_user(), headers=contact_point.headers)

    assert response.status_code == 201
    assert response.json["roles"] == ["trainee"]
    assert response.json["administration"] == "AZ"
    assert audit(make, "user.created", response.json["id"])[0].actor_id == contact_point.id


@pytest.mark.parametrize(
    "body",
    [
        new_user(roles=["trainer"]),
        new_user(roles=["trainee", "contact_point"]),
        new_user(administration="GE"),
        {key: value for key, value in new_user().items() if key != "administration"},
    ],
    ids=["grants trainer", "grants contact point", "another administration", "no administration"],
)
def test_contact_point_cannot_grant_roles_or_create_outside_their_administration(
    client, make, contact_point, body
):
    before = make.count(User)

    assert_problem(client.post(URL, json=body, headers=contact_point.headers), 403)
    assert make.count(User) == before


def test_duplicate_email_in_odd_case_and_spacing_is_a_conflict(client, make, admin):
    make.user(email="rashad.aliyev@customs.gov.az")
    before = make.count(User)

    response = client.post(
        URL, json=new_user(email="  Rashad.ALIYEV@Customs.gov.az "), headers=admin.headers
    )

    assert_problem(response, 409, fields=["email"])
    assert make.count(User) == before


def test_email_is_stored_trimmed_and_lower_case(client, make, admin):
    make.administration("AZ")

    response = client.post(
        URL, json=new_user(email=" Rashad.Aliyev@Customs.GOV.az  "), headers=admin.headers
    )

    assert response.json["email"] == "rashad.aliyev@customs.gov.az"
    assert make.get(User, response.json["id"]).email == "rashad.aliyev@customs.gov.az"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"administration": "ZZ"}, "administration"),
        ({"administration": "A1"}, "administration"),
        ({"nickname": "Rash"}, "nickname"),
        ({"roles": ["superuser"]}, "roles"),
        ({"roles": "trainee"}, "roles"),
        ({"roles": []}, "roles"),
        ({"full_name": 42}, "full_name"),
        ({"full_name": "   "}, "full_name"),
        ({"full_name": "R" * 201}, "full_name"),
        ({"email": "not an email"}, "email"),
        ({"email": ["a@b.az"]}, "email"),
        ({"email": "r" * 245 + "@customs.az"}, "email"),
        ({"language": "de"}, "language"),
        ({"password": "short"}, "password"),
        ({"password": "p" * 201}, "password"),
    ],
)
def test_bad_new_user_is_refused_naming_the_field_and_nothing_is_stored(
    client, make, admin, change, field
):
    make.administration("AZ")
    before = (make.count(User), make.count(AuditEvent))

    response = client.post(URL, json=new_user(**change), headers=admin.headers)

    assert_problem(response, 422, fields=[field])
    assert (make.count(User), make.count(AuditEvent)) == before


def test_unknown_administration_is_refused_for_a_contact_point_too(client, make, contact_point):
    before = make.count(User)

    response = client.post(URL, json=new_user(administration="ZZ"), headers=contact_point.headers)

    assert_problem(response, 422, fields=["administration"])
    assert make.count(User) == before


def test_malformed_json_is_a_400_and_nothing_is_stored(client, make, admin):
    before = make.count(User)

    response = client.post(
        URL,
        data='{"email": "x@customs.az",',
        content_type="application/json",
        headers=admin.headers,
    )

    body = assert_problem(response, 400)
    assert body["detail"] == "Invalid JSON body."
    assert make.count(User) == before


# reading


def test_contact_point_reads_own_administrations_people_and_not_others(client, make, contact_point):
    own = make.user(Role.TRAINEE, administration="AZ")
    foreign = make.user(Role.TRAINEE, administration="GE")

    assert client.get(f"{URL}/{own.id}", headers=contact_point.headers).json["id"] == own.id
    hidden = client.get(f"{URL}/{foreign.id}", headers=contact_point.headers)
    missing = client.get(f"{URL}/999999", headers=contact_point.headers)
    assert_problem(hidden, 404)
    assert hidden.json == missing.json


def test_a_trainee_reads_only_themselves(client, make):
    trainee = make.user(Role.TRAINEE, administration="AZ")
    colleague = make.user(Role.TRAINEE, administration="AZ")

    assert client.get(f"{URL}/{trainee.id}", headers=trainee.headers).status_code == 200
    assert_problem(client.get(f"{URL}/{colleague.id}", headers=trainee.headers), 404)


# editing


def test_admin_changes_roles_and_the_change_is_audited(client, make, admin):
    person = make.user(Role.TRAINEE, administration="AZ")

    response = client.patch(
        f"{URL}/{person.id}", json={"roles": ["trainer", "trainee"]}, headers=admin.headers
    )

    assert response.json["roles"] == ["trainee", "trainer"]
    assert make.get(User, person.id).roles == {Role.TRAINEE, Role.TRAINER}
    [event] = audit(make, "user.roles_changed", person.id)
    assert event.actor_id == admin.id
    assert (event.details["before"], event.details["after"]) == (
        ["trainee"],
        ["trainee", "trainer"],
    )


def test_unchanged_roles_are_not_audited(client, make, admin):
    person = make.user(Role.TRAINEE, administration="AZ")

    client.patch(f"{URL}/{person.id}", json={"roles": ["trainee"]}, headers=admin.headers)

    assert audit(make, "user.roles_changed", person.id) == []


def test_deactivation_is_audited_and_ends_sessions_and_tokens(client, make, admin, app):
    person = make.user(Role.TRAINER, administration=None)
    browser = app.test_client()
    browser.post("/api/v1/auth/login", json={"email": person.email, "password": person.password})

    response = client.patch(f"{URL}/{person.id}", json={"active": False}, headers=admin.headers)

    assert response.json["active"] is False
    deactivated = audit(make, "user.deactivated", person.id)[0]
    assert deactivated.actor_id == admin.id
    assert deactivated.details == {"tokens_revoked": 1}
    assert_problem(client.get("/api/v1/me", headers=person.headers), 401)
    assert_problem(browser.get("/api/v1/me"), 401)
    assert all(token.revoked_at is not None for token in make.all(ApiToken, user_id=person.id))

    client.patch(f"{URL}/{person.id}", json={"active": True}, headers=admin.headers)
    assert audit(make, "user.reactivated", person.id)[0].actor_id == admin.id
    # Regression: reactivation brought the old tokens and sessions back.
    assert_problem(client.get("/api/v1/me", headers=person.headers), 401)
    assert_problem(browser.get("/api/v1/me"), 401)
    login = {"email": person.email, "password": person.password}
    assert client.post("/api/v1/auth/login", json=login).status_code == 200


@pytest.mark.parametrize("change", [{"active": False}, {"roles": ["trainer"]}])
def test_the_last_active_admin_cannot_deactivate_or_demote_themself(client, make, change):
    admin = make.user(Role.ADMIN, administration=None)
    make.user(Role.ADMIN, administration=None, active=False)

    response = client.patch(f"{URL}/{admin.id}", json=change, headers=admin.headers)

    assert_problem(response, 409, fields=list(change))
    stored = make.get(User, admin.id)
    assert stored.active
    assert Role.ADMIN in stored.roles
    assert client.get("/api/v1/me", headers=admin.headers).status_code == 200


def test_an_admin_steps_down_when_another_admin_remains(client, make):
    first = make.user(Role.ADMIN, administration=None)
    second = make.user(Role.ADMIN, administration=None)

    stepped_down = client.patch(
        f"{URL}/{first.id}", json={"roles": ["trainer"]}, headers=first.headers
    )
    last = client.patch(f"{URL}/{second.id}", json={"active": False}, headers=second.headers)

    assert stepped_down.status_code == 200
    assert_problem(last, 409, fields=["active"])


def test_admin_moves_a_person_and_renames_them_audited_by_field(client, make, admin):
    make.administration("GE")
    person = make.user(Role.TRAINEE, administration="AZ")

    moved = client.patch(
        f"{URL}/{person.id}",
        json={"administration": "ge", "full_name": "  Nino Beridze "},
        headers=admin.headers,
    )
    out = client.patch(f"{URL}/{person.id}", json={"administration": None}, headers=admin.headers)

    assert (moved.json["administration"], moved.json["full_name"]) == ("GE", "Nino Beridze")
    assert out.json["administration"] is None
    assert make.get(User, person.id).administration_id is None
    events = audit(make, "user.updated", person.id)
    assert [event.details["fields"] for event in events] == [
        ["administration", "full_name"],
        ["administration"],
    ]


def test_email_change_to_a_taken_address_is_a_conflict(client, make, admin):
    taken = make.user(email="taken@customs.az")
    person = make.user()

    response = client.patch(
        f"{URL}/{person.id}", json={"email": " TAKEN@customs.az"}, headers=admin.headers
    )

    assert_problem(response, 409, fields=["email"])
    assert make.get(User, person.id).email == person.email
    assert make.get(User, taken.id).email == "taken@customs.az"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"active": "maybe"}, "active"),
        ({"administration": "ZZ"}, "administration"),
        ({"id": 7}, "id"),
        ({"password": "a long new password"}, "password"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_bad_edit_is_refused_and_changes_nothing(client, make, admin, change, field):
    person = make.user(Role.TRAINEE, administration="AZ", full_name="Unchanged")
    before = make.count(AuditEvent)

    response = client.patch(f"{URL}/{person.id}", json=change, headers=admin.headers)

    assert_problem(response, 422, fields=[field])
    stored = make.get(User, person.id)
    assert (stored.full_name, stored.active, stored.roles) == ("Unchanged", True, {Role.TRAINEE})
    assert make.count(AuditEvent) == before


def test_contact_point_deactivates_and_renames_own_trainees(client, make, contact_point):
    trainee = make.user(Role.TRAINEE, administration="AZ")

    response = client.patch(
        f"{URL}/{trainee.id}",
        json={"active": False, "full_name": "Leyla Mammadova"},
        headers=contact_point.headers,
    )

    assert response.status_code == 200
    stored = make.get(User, trainee.id)
    assert (stored.active, stored.full_name) == (False, "Leyla Mammadova")
    assert audit(make, "user.deactivated", trainee.id)[0].actor_id == contact_point.id


@pytest.mark.parametrize(
    "change",
    [
        {"roles": ["trainee", "trainer"]},
        {"roles": ["trainee"]},
        {"email": "elsewhere@customs.az"},
        {"administration": "GE"},
    ],
)
def test_contact_point_cannot_grant_roles_or_move_or_readdress_trainees(
    client, make, contact_point, change
):
    trainee = make.user(Role.TRAINEE, administration="AZ")

    assert_problem(
        client.patch(f"{URL}/{trainee.id}", json=change, headers=contact_point.headers), 403
    )
    stored = make.get(User, trainee.id)
    assert (stored.roles, stored.email, stored.administration_id) == (
        {Role.TRAINEE},
        trainee.email,
        make.get(User, contact_point.id).administration_id,
    )


def test_contact_point_cannot_edit_staff_of_their_administration_or_other_peoples(
    client, make, contact_point
):
    colleague = make.user(Role.CONTACT_POINT, administration="AZ")
    foreign = make.user(Role.TRAINEE, administration="GE")

    refused = client.patch(
        f"{URL}/{colleague.id}", json={"active": False}, headers=contact_point.headers
    )
    hidden = client.patch(
        f"{URL}/{foreign.id}", json={"active": False}, headers=contact_point.headers
    )

    assert_problem(refused, 403)
    assert_problem(hidden, 404)
    assert make.get(User, colleague.id).active is True
    assert make.get(User, foreign.id).active is True


# own profile


@pytest.mark.parametrize("role", list(Role))
def test_everyone_reads_and_edits_their_own_profile(client, make, role):
    person = make.user(role, administration="AZ")

    me = client.get("/api/v1/me", headers=person.headers)
    edited = client.patch(
        "/api/v1/me", json={"full_name": " Ana Popescu ", "language": "fr"}, headers=person.headers
    )

    assert (me.json["id"], me.json["email"], me.json["roles"]) == (
        person.id,
        person.email,
        [role.value],
    )
    assert (edited.json["full_name"], edited.json["language"]) == ("Ana Popescu", "fr")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"roles": ["admin"]}, "roles"),
        ({"active": True}, "active"),
        ({"administration": "GE"}, "administration"),
        ({"email": "new@customs.az"}, "email"),
        ({"language": "xx"}, "language"),
    ],
)
def test_nobody_escalates_or_moves_themselves_through_their_profile(client, make, change, field):
    person = make.user(Role.TRAINEE, administration="AZ")

    assert_problem(
        client.patch("/api/v1/me", json=change, headers=person.headers), 422, fields=[field]
    )
    stored = make.get(User, person.id)
    assert (stored.roles, stored.email, stored.language) == ({Role.TRAINEE}, person.email, "en")


# lists


def test_contact_point_lists_only_their_administration(client, make, contact_point):
    own = [make.user(Role.TRAINEE, administration="AZ").id for _ in range(2)]
    make.user(Role.TRAINEE, administration="GE")

    listed = client.get(URL, headers=contact_point.headers)
    snooping = client.get(f"{URL}?administration=GE", headers=contact_point.headers)

    assert {row["id"] for row in listed.json} == {contact_point.id, *own}
    assert listed.headers["X-Total-Count"] == "3"
    assert snooping.json == []
    assert snooping.headers["X-Total-Count"] == "0"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("administration=ge", ["Giorgi"]),
        ("role=trainer", ["Anna"]),
        ("active=false", ["Dormant"]),
        ("active=true&administration=AZ", ["Rashad"]),
        ("q=rashad", ["Rashad"]),
        ("q=CUSTOMS.GE", ["Giorgi"]),
        ("q=%D0%B0%D0%BD%D0%BD%D0%B0", ["Anna"]),  # "анна" matches "Анна"
        ("q=_", []),
    ],
)
def test_admin_filters_people(client, make, admin, query, expected):
    make.user(Role.TRAINEE, administration="AZ", full_name="Rashad", email="rashad@customs.az")
    make.user(Role.TRAINEE, administration="GE", full_name="Giorgi", email="giorgi@customs.ge")
    make.user(Role.TRAINER, administration=None, full_name="Anna Анна", email="anna@wco.test")
    make.user(Role.TRAINEE, administration="AZ", full_name="Dormant", active=False)

    response = client.get(f"{URL}?{query}", headers=admin.headers)

    assert response.status_code == 200
    assert [row["full_name"].split()[0] for row in response.json] == expected


def test_list_is_paginated_by_name_with_links(client, make, admin):
    for name in ("Bora", "Cem", "Deniz", "Ece"):
        make.user(Role.TRAINEE, administration="TR", full_name=name)

    first = client.get(f"{URL}?administration=TR&per_page=3", headers=admin.headers)
    second = client.get(links(first)["next"], headers=admin.headers)

    assert [row["full_name"] for row in first.json] == ["Bora", "Cem", "Deniz"]
    assert [row["full_name"] for row in second.json] == ["Ece"]
    assert first.headers["X-Total-Count"] == second.headers["X-Total-Count"] == "4"
    assert set(links(first)) == {"first", "next", "last"}
    assert set(links(second)) == {"first", "prev", "last"}
    assert "administration=TR" in links(first)["next"]


def test_list_arguments_are_validated(client, admin):
    assert_problem(client.get(f"{URL}?role=chief", headers=admin.headers), 422, fields=["role"])
    assert_problem(client.get(f"{URL}?per_page=0", headers=admin.headers), 422, fields=["per_page"])


def test_people_list_costs_the_same_queries_for_3_or_40_people(client, make, admin, queries):
    for _ in range(2):
        make.user(Role.TRAINEE, administration="AZ")
    client.get("/api/v1/me", headers=admin.headers)  # the token's first use is recorded once
    queries.reset()
    client.get(f"{URL}?per_page=100", headers=admin.headers)
    few = queries.count

    for n in range(37):
        roles = (Role.TRAINEE, Role.TRAINER) if n % 2 else (Role.CONTACT_POINT,)
        make.user(*roles, administration=("AZ", "GE", "AM", None)[n % 4])
    queries.reset()
    response = client.get(f"{URL}?per_page=100", headers=admin.headers)

    assert len(response.json) == int(response.headers["X-Total-Count"]) == 40
    assert queries.count == few
