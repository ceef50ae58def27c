from __future__ import annotations

import string

import pycountry
import pytest

from elearn.accounts.models import Administration, Role
from elearn.accounts.schemas import AdministrationCreateSchema
from elearn.audit.models import AuditEvent
from elearn.demo import wco_europe_administrations
from tests.http import assert_problem, links

URL = "/api/v1/administrations"
NEW = {
    "code": "xk",
    "names": {"en": "Kosovo Customs", "ru": "Таможня Косово", "fr": "Douane du Kosovo"},
    "region": "Europe",
}


@pytest.fixture
def admin(make):
    return make.user(Role.ADMIN, administration=None)


def test_wco_europe_file_lists_each_member_once_with_valid_codes_and_three_names():
    records = wco_europe_administrations()
    codes = [record["code"] for record in records]

    assert len(codes) == len(set(codes)) == 51
    assert all(pycountry.countries.get(alpha_2=code) is not None for code in codes)
    assert {"AZ", "GE", "RU", "TR", "GB", "UZ", "IL", "KZ", "CH", "NO"} <= set(codes)
    assert "EU" not in codes
    for record in records:
        assert record["region"] == "Europe"
        assert set(record["names"]) == {"en", "ru", "fr"}
        assert all(name.strip() == name and name for name in record["names"].values())
        assert AdministrationCreateSchema().validate(record) == {}, record["code"]


def test_admin_adds_an_administration_and_it_is_audited(client, make, admin):
    response = client.post(URL, json=NEW, headers=admin.headers)

    assert response.status_code == 201
    assert response.json["code"] == "XK"
    assert response.json["names"]["ru"] == "Таможня Косово"
    assert response.json["active"] is True
    stored = make.all(Administration, code="XK")
    assert [row.names["fr"] for row in stored] == ["Douane du Kosovo"]
    events = make.all(AuditEvent, action="administration.created", object_id="XK")
    assert [event.actor_id for event in events] == [admin.id]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "X1"}, "code"),
        ({"code": "XKK"}, "code"),
        ({"code": 12}, "code"),
        ({"names": {"ru": "Только по-русски"}}, "names"),
        ({"names": {"en": "x" * 201}}, "names"),
        ({"names": {"en": "Kosovo Customs", "de": "Zoll"}}, "names"),
        ({"region": ""}, "region"),
        ({"region": "   "}, "region"),
        ({"region": "E" * 81}, "region"),
        ({"active": "perhaps"}, "active"),
        ({"headquarters": "Pristina"}, "headquarters"),
    ],
)
def test_bad_administration_is_refused_naming_the_field_and_nothing_is_stored(
    client, make, admin, change, field
):
    before = make.count(Administration)

    response = client.post(URL, json={**NEW, **change}, headers=admin.headers)

    assert_problem(response, 422, fields=[field])
    assert make.count(Administration) == before


def test_duplicate_code_in_any_case_is_a_conflict(client, make, admin):
    make.administration("AZ")
    before = make.count(Administration)

    response = client.post(URL, json={**NEW, "code": "az"}, headers=admin.headers)

    assert_problem(response, 409)
    assert make.count(Administration) == before


def test_admin_renames_and_deactivates_an_administration(client, make, admin):
    make.administration("GE")
    names = {"en": "Revenue Service of Georgia", "ru": "Служба доходов Грузии"}

    response = client.patch(
        f"{URL}/ge", json={"names": names, "active": False}, headers=admin.headers
    )

    assert response.status_code == 200
    assert response.json["names"] == names
    assert response.json["active"] is False
    stored = make.all(Administration, code="GE")[0]
    assert (stored.names, stored.active) == (names, False)
    events = make.all(AuditEvent, action="administration.updated", object_id="GE")
    assert [event.details["fields"] for event in events] == [["active", "names"]]


def test_patching_the_code_is_refused(client, make, admin):
    make.administration("GE")

    response = client.patch(f"{URL}/GE", json={"code": "GG"}, headers=admin.headers)

    assert_problem(response, 422, fields=["code"])
    assert make.count(Administration, code="GE") == 1


def test_unknown_administration_is_404(client, admin):
    assert_problem(client.get(f"{URL}/ZZ", headers=admin.headers), 404)
    assert_problem(client.patch(f"{URL}/ZZ", json={"active": False}, headers=admin.headers), 404)


def test_any_signed_in_user_reads_an_administration_by_code_in_any_case(client, make):
    trainee = make.user(Role.TRAINEE, administration="AZ")

    response = client.get(f"{URL}/az", headers=trainee.headers)

    assert response.status_code == 200
    assert response.json["code"] == "AZ"
    assert set(response.json["names"]) == {"en", "ru", "fr"}


def test_list_is_paginated_by_code_with_total_and_links(client, make, admin):
    for code in ("AM", "AZ", "BY", "GE", "KZ"):
        make.administration(code)

    response = client.get(f"{URL}?per_page=2&page=2", headers=admin.headers)

    assert response.status_code == 200
    assert [row["code"] for row in response.json] == ["BY", "GE"]
    assert response.headers["X-Total-Count"] == "5"
    rels = links(response)
    assert set(rels) == {"first", "prev", "next", "last"}
    assert "page=1" in rels["first"]
    assert "page=1" in rels["prev"]
    assert "page=3" in rels["next"]
    assert "page=3" in rels["last"]
    assert all("per_page=2" in url for url in rels.values())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("active=false", ["GE"]),
        ("active=true&region=Europe", ["AZ"]),
        ("region=Asia", ["KZ"]),
        ("q=az", ["AZ"]),
        ("q=revenue", ["GE"]),
        ("q=%D1%81%D0%BB%D1%83%D0%B6%D0%B1%D0%B0", ["GE"]),  # "служба", lower case
        ("q=DOUANES", ["AZ"]),
        ("q=100%25", ["KZ"]),
        ("q=10%25", []),
        ("q=st_te", []),
    ],
)
def test_list_filters(client, make, admin, query, expected):
    make.administration(
        "AZ",
        names={"en": "State Customs Committee", "ru": "Таможня", "fr": "Comité des douanes"},
    )
    make.administration(
        "GE",
        names={"en": "Revenue Service", "ru": "Служба доходов", "fr": "Service des recettes"},
        active=False,
    )
    make.administration("KZ", region="Asia", names={"en": "Committee for 100% of trade"})

    response = client.get(f"{URL}?{query}", headers=admin.headers)

    assert response.status_code == 200
    assert [row["code"] for row in response.json] == expected


def test_list_arguments_are_validated(client, admin):
    assert_problem(
        client.get(f"{URL}?per_page=101", headers=admin.headers), 422, fields=["per_page"]
    )
    assert_problem(client.get(f"{URL}?page=0", headers=admin.headers), 422, fields=["page"])
    assert_problem(client.get(f"{URL}?q={'x' * 101}", headers=admin.headers), 422, fields=["q"])
    assert_problem(
        client.get(f"{URL}?active=perhaps", headers=admin.headers), 422, fields=["active"]
    )


def test_list_costs_the_same_queries_for_3_or_30_administrations(client, make, admin, queries):
    codes = [first + second for first in "QX" for second in string.ascii_uppercase][:30]
    for code in codes[:3]:
        make.administration(code)
    client.get("/api/v1/me", headers=admin.headers)  # the token's first use is recorded once
    queries.reset()
    client.get(f"{URL}?per_page=100", headers=admin.headers)
    few = queries.count

    for code in codes[3:]:
        make.administration(code)
    queries.reset()
    response = client.get(f"{URL}?per_page=100", headers=admin.headers)

    assert len(response.json) == int(response.headers["X-Total-Count"]) == 30
    assert queries.count == few
