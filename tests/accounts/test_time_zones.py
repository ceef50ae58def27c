"""People see dates in their IANA time zone: their own, else their administration's."""

from __future__ import annotations

import pytest

from elearn.accounts.models import Administration, Role, User


def test_a_person_follows_the_administrations_zone_until_they_choose_one(app, client, make):
    make.administration("AZ", time_zone="Asia/Baku")
    officer = make.user(administration="AZ")

    shown = client.get("/api/v1/me", headers=officer.headers).json
    changed = client.patch(
        "/api/v1/me", json={"time_zone": "Pacific/Auckland"}, headers=officer.headers
    )
    reverted = client.patch("/api/v1/me", json={"time_zone": None}, headers=officer.headers)

    assert (shown["time_zone"], shown["time_zone_is_own"]) == ("Asia/Baku", False)
    assert changed.status_code == 200
    assert (changed.json["time_zone"], changed.json["time_zone_is_own"]) == (
        "Pacific/Auckland",
        True,
    )
    assert reverted.json["time_zone"] == "Asia/Baku"
    assert make.get(User, officer.id).time_zone is None


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../../etc/passwd", "Europe/", 42])
def test_an_unknown_time_zone_is_422_and_nothing_changes(client, make, zone):
    officer = make.user(administration="AZ")

    response = client.patch("/api/v1/me", json={"time_zone": zone}, headers=officer.headers)

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "time_zone" in response.json["errors"]
    assert make.get(User, officer.id).time_zone is None


def test_admins_give_an_administration_its_zone(client, make):
    admin = make.user(Role.ADMIN, administration=None)
    make.administration("GE")

    created = client.post(
        "/api/v1/administrations",
        json={
            "code": "KZ",
            "names": {"en": "Kazakhstan"},
            "region": "Europe",
            "time_zone": "Asia/Almaty",
        },
        headers=admin.headers,
    )
    changed = client.patch(
        "/api/v1/administrations/GE", json={"time_zone": "Asia/Tbilisi"}, headers=admin.headers
    )
    refused = client.patch(
        "/api/v1/administrations/GE", json={"time_zone": "Asia/Nowhere"}, headers=admin.headers
    )

    assert created.json["time_zone"] == "Asia/Almaty"
    assert changed.json["time_zone"] == "Asia/Tbilisi"
    assert refused.status_code == 422
    assert {a.code: a.time_zone for a in make.all(Administration)}["GE"] == "Asia/Tbilisi"


def test_every_demo_administration_has_a_valid_zone():
    from elearn.demo import wco_europe_administrations
    from elearn.schemas import is_time_zone

    records = wco_europe_administrations()

    assert all(is_time_zone(record["time_zone"]) for record in records)
    assert {r["code"]: r["time_zone"] for r in records}["AZ"] == "Asia/Baku"
