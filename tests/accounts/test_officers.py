"""Officers' personnel numbers and units: edited one by one, or imported from a CSV file."""

from __future__ import annotations

import io

import pytest

from elearn.accounts.models import Role, User
from elearn.audit.models import AuditEvent
from tests.http import assert_problem

USERS = "/api/v1/users"
IMPORT = "/api/v1/users/import"


@pytest.fixture
def contact_point(make):
    make.administration("GE")
    return make.user(Role.CONTACT_POINT, administration="AZ")


def upload(client, person, data: bytes, **form):
    return client.post(
        IMPORT,
        data={"file": (io.BytesIO(data), "officers.csv"), **form},
        headers=person.headers,
        content_type="multipart/form-data",
    )


def stored(make, email):
    [user] = make.all(User, email=email)
    return user.personnel_number, user.unit, user.full_name


# one by one


def test_a_contact_point_sets_an_officers_personnel_number_and_unit(client, make, contact_point):
    officer = make.user(Role.TRAINEE, administration="AZ")

    response = client.patch(
        f"{USERS}/{officer.id}",
        json={"personnel_number": " 0042 ", "unit": "Border post Red Bridge"},
        headers=contact_point.headers,
    )

    assert response.status_code == 200, response.json
    assert (response.json["personnel_number"], response.json["unit"]) == (
        "0042",
        "Border post Red Bridge",
    )
    assert stored(make, officer.email)[:2] == ("0042", "Border post Red Bridge")
    cleared = client.patch(
        f"{USERS}/{officer.id}", json={"unit": None}, headers=contact_point.headers
    )
    assert cleared.json["unit"] is None


def test_a_personnel_number_is_unique_within_the_administration_only(client, make, contact_point):
    make.user(Role.TRAINEE, administration="AZ", personnel_number="7")
    make.user(Role.TRAINEE, administration="GE", personnel_number="8")
    officer = make.user(Role.TRAINEE, administration="AZ")

    taken = client.patch(
        f"{USERS}/{officer.id}", json={"personnel_number": "7"}, headers=contact_point.headers
    )
    elsewhere = client.patch(
        f"{USERS}/{officer.id}", json={"personnel_number": "8"}, headers=contact_point.headers
    )

    body = assert_problem(taken, 409, fields=["personnel_number"])
    assert "7" in str(body["detail"])
    assert elsewhere.status_code == 200
    assert stored(make, officer.email)[0] == "8"


def test_creating_an_officer_with_a_taken_number_changes_nothing(client, make, contact_point):
    make.user(Role.TRAINEE, administration="AZ", personnel_number="7")
    body = {"email": "new@customs.test", "full_name": "New", "administration": "AZ"}

    response = client.post(
        USERS, json={**body, "personnel_number": "7"}, headers=contact_point.headers
    )

    assert_problem(response, 409, fields=["personnel_number"])
    assert make.count(User, email="new@customs.test") == 0


def test_users_are_filtered_by_personnel_number_and_unit(client, make, contact_point):
    wanted = make.user(Role.TRAINEE, personnel_number="A-1", unit="Airport")
    make.user(Role.TRAINEE, personnel_number="A-2", unit="Port")

    by_number = client.get(f"{USERS}?personnel_number=A-1", headers=contact_point.headers)
    by_unit = client.get(f"{USERS}?unit=Airport", headers=contact_point.headers)
    by_search = client.get(f"{USERS}?q=a-1", headers=contact_point.headers)

    for response in (by_number, by_unit, by_search):
        assert [user["id"] for user in response.json] == [wanted.id]


def test_a_contact_point_cannot_number_staff(client, make, contact_point):
    trainer = make.user(Role.TRAINER, administration="AZ")
    response = client.patch(
        f"{USERS}/{trainer.id}", json={"personnel_number": "1"}, headers=contact_point.headers
    )
    assert_problem(response, 403)


# CSV import


def test_an_import_creates_and_updates_officers_with_a_row_outcome_each(
    client, make, contact_point
):
    known = make.user(Role.TRAINEE, administration="AZ", personnel_number="100")
    unchanged = make.user(Role.TRAINEE, administration="AZ", unit="Port")
    data = (
        "email;full_name;personnel_number;unit\r\n"
        f"{known.email};;101;Airport\r\n"
        "\r\n"
        "Nina.Petrova@customs.test;Nina Petrova;102;Airport\r\n"
        f"{unchanged.email};;;Port\r\n"
    ).encode("utf-8-sig")

    response = upload(client, contact_point, data)

    assert response.status_code == 200, response.json
    body = response.json
    assert body["administration"] == "AZ"
    assert [(row["row"], row["outcome"]) for row in body["rows"]] == [
        (2, "updated"),
        (4, "created"),
        (5, "unchanged"),
    ]
    assert body["counts"] == {"created": 1, "updated": 1, "unchanged": 1}
    assert stored(make, known.email)[:2] == ("101", "Airport")
    assert stored(make, "nina.petrova@customs.test") == ("102", "Airport", "Nina Petrova")
    [created] = make.all(User, email="nina.petrova@customs.test")
    assert created.roles == {Role.TRAINEE}
    assert make.count(AuditEvent, action="user.imported") == 1


def test_officers_of_a_file_may_swap_personnel_numbers(client, make, contact_point):
    first = make.user(Role.TRAINEE, administration="AZ", personnel_number="1")
    second = make.user(Role.TRAINEE, administration="AZ", personnel_number="2")
    data = f"email,personnel_number\n{first.email},2\n{second.email},1\n".encode()

    response = upload(client, contact_point, data)

    assert response.status_code == 200, response.json
    assert (stored(make, first.email)[0], stored(make, second.email)[0]) == ("2", "1")


@pytest.mark.parametrize(
    ("lines", "row", "reason"),
    [
        (
            "a@customs.test,A,5\nb@customs.test,B,5\n",
            "row 3",
            "personnel number 5 is also on line 2",
        ),
        ("a@customs.test,A,5\nA@customs.test,B,6\n", "row 3", "email a@customs.test is also on"),
        ("a@customs.test,A,7\n", "row 2", "personnel number 7 is already used by another officer"),
        ("not-an-email,A,8\n", "row 2", "email: Not a valid email address."),
        ("a@customs.test,,8\n", "row 2", "full_name: a new officer needs a name."),
        ("{other},X,9\n", "row 2", "is not a trainee of AZ"),
        ("{staff},X,9\n", "row 2", "is not a trainee of AZ"),
    ],
)
def test_a_file_with_a_refused_line_changes_nothing(
    client, make, contact_point, lines, row, reason
):
    make.user(Role.TRAINEE, administration="AZ", personnel_number="7")
    other = make.user(Role.TRAINEE, administration="GE")
    staff = make.user(Role.TRAINER, administration="AZ")
    data = "email,full_name,personnel_number\n" + lines.format(other=other.email, staff=staff.email)
    before = make.count(User)

    response = upload(client, contact_point, (data + "ok@customs.test,Ok,99\n").encode())

    body = assert_problem(response, 422, fields=[row])
    assert reason in body["errors"][row][0]
    assert "nothing was imported" in str(body["detail"])
    assert make.count(User) == before
    assert make.count(User, personnel_number="99") == 0


def test_an_admin_names_the_administration_and_a_contact_point_only_their_own(
    client, make, contact_point
):
    admin = make.user(Role.ADMIN, administration=None)
    data = b"email,full_name\nx@customs.test,X\n"

    by_admin = upload(client, admin, data, administration="GE")
    unnamed = upload(client, admin, data)
    elsewhere = upload(client, contact_point, data, administration="GE")

    assert by_admin.status_code == 200, by_admin.json
    [created] = make.all(User, email="x@customs.test")
    assert created.administration.code == "GE"
    assert_problem(unnamed, 422, fields=["administration"])
    assert_problem(elsewhere, 403)


def test_an_import_over_the_row_limit_is_refused(client, make, contact_point, other_app):
    data = ("email,full_name\n" + "".join(f"p{n}@x.tt,P\n" for n in range(5_001))).encode()
    response = upload(client, contact_point, data)
    body = assert_problem(response, 413)
    assert "at most 5,000" in str(body["detail"])
