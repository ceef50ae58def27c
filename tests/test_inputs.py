"""No input answers 5xx: out-of-range ids and pages, NUL characters, unpaired surrogates and
deeply nested JSON are refused with 4xx problem+json, and nothing of them is stored.

Regressions of fuzzer findings; the anonymous endpoints matter most."""

from __future__ import annotations

import json

import marshmallow as ma
import pytest

from elearn.accounts.models import Administration, Role, User
from elearn.courses.models import Course
from elearn.enrolments.models import Enrolment
from elearn.inputs import Blueprint
from elearn.media.models import MediaAsset
from tests.http import assert_problem

TOO_BIG = [2**31, 2**40, 2**63, 10**30]
DEEP = "[" * 1000 + "]" * 1000


@pytest.fixture
def admin(make):
    return make.user(Role.ADMIN, administration=None)


def send(client, method, path, body, headers=None):
    return client.open(
        path, method=method, data=body, content_type="application/json", headers=headers or {}
    )


# ids


@pytest.mark.parametrize("number", TOO_BIG)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/courses/{}"),
        ("DELETE", "/api/v1/me/tokens/{}"),
        ("GET", "/api/v1/users/{}"),
        ("GET", "/api/v1/courses/1/modules/{}"),
        ("GET", "/api/v1/media/{}"),
        ("GET", "/api/v1/certificates/exports/{}"),
    ],
)
def test_an_id_beyond_the_database_range_in_a_path_is_not_found(
    client, admin, method, path, number
):
    response = client.open(path.format(number), method=method, headers=admin.headers)

    assert_problem(response, 404)


def test_ids_below_one_are_not_found(client, admin):
    assert_problem(client.get("/api/v1/courses/0", headers=admin.headers), 404)


@pytest.mark.parametrize("number", TOO_BIG)
def test_an_id_beyond_the_database_range_in_a_body_names_the_field(client, make, admin, number):
    course = client.post(
        "/api/v1/courses",
        json={
            "slug": "c-1",
            "code": "C-1",
            "default_language": "en",
            "translations": {"en": {"title": "C"}},
        },
        headers=admin.headers,
    ).get_json()
    owners = f"/api/v1/courses/{course['id']}/owners"

    assert_problem(
        client.post(owners, json={"user_id": number}, headers=admin.headers),
        422,
        fields=["user_id"],
    )
    assert_problem(
        client.post(
            "/api/v1/enrolments/bulk",
            json={"course_id": course["id"], "user_ids": [number]},
            headers=admin.headers,
        ),
        422,
        fields=["user_ids"],
    )
    assert_problem(
        client.post("/api/v1/enrolments/bulk", json={"course_id": number}, headers=admin.headers),
        422,
        fields=["course_id"],
    )
    assert_problem(
        client.post(
            "/api/v1/media",
            json={
                "course_id": number,
                "filename": "a.pdf",
                "content_type": "application/pdf",
                "size": 10,
            },
            headers=admin.headers,
        ),
        422,
        fields=["course_id"],
    )
    assert_problem(
        client.post(
            "/api/v1/certificates/exports", json={"course_id": number}, headers=admin.headers
        ),
        422,
        fields=["course_id"],
    )
    assert make.count(Enrolment) == 0
    assert make.count(MediaAsset) == 0


@pytest.mark.parametrize("page", [2**31, 9223372036854775807, 10**40])
def test_a_page_whose_offset_overflows_is_refused(client, admin, page):
    response = client.get(f"/api/v1/users?page={page}", headers=admin.headers)

    assert_problem(response, 422, fields=["page"])


def test_the_last_allowed_page_is_empty(client, admin):
    response = client.get(f"/api/v1/users?page={2**31 - 1}&per_page=100", headers=admin.headers)

    assert response.status_code == 200
    assert response.get_json() == []


# NUL characters and unpaired surrogates


@pytest.mark.parametrize("name", ["a\u0000b", "a\ud800b", "\udfff"])
def test_text_that_cannot_be_stored_is_refused_and_not_stored(client, make, admin, name):
    before = make.all(User, id=admin.id)[0].full_name

    response = send(client, "PATCH", "/api/v1/me", json.dumps({"full_name": name}), admin.headers)

    body = assert_problem(response, 400)
    assert "NUL" in body["detail"]
    assert make.all(User, id=admin.id)[0].full_name == before


def test_an_administration_name_with_nul_is_never_stored(client, make, admin):
    response = client.post(
        "/api/v1/administrations",
        json={"code": "XK", "names": {"en": "Kosovo\u0000"}, "region": "Europe"},
        headers=admin.headers,
    )

    assert_problem(response, 400)
    assert make.count(Administration, code="XK") == 0
    assert client.get("/api/v1/administrations?q=x", headers=admin.headers).status_code == 200


def test_a_nul_in_a_json_key_is_refused(client, admin):
    response = send(client, "PATCH", "/api/v1/me", '{"full_\\u0000name": "x"}', admin.headers)

    assert_problem(response, 400)


@pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/administrations", "/api/v1/courses"])
@pytest.mark.parametrize("query", ["q=a%00b", "a%00=1"])
def test_query_arguments_with_nul_are_refused(client, admin, path, query):
    assert_problem(client.get(f"{path}?{query}", headers=admin.headers), 400)


def test_query_bytes_that_are_not_utf8_are_read_as_replacement_characters(client, admin):
    response = client.get("/api/v1/users?q=%ED%A0%80", headers=admin.headers)

    assert response.status_code == 200
    assert response.get_json() == []


@pytest.mark.parametrize(
    "path", ["/verify/AAAA%00BBBBCCCC", "/verify/AAAA%ED%A0%80BBBBCCCC", "/verify/%00"]
)
def test_public_verification_of_a_path_with_nul_or_a_surrogate(client, path):
    response = client.get(path)

    assert response.status_code in {400, 404}
    assert response.mimetype == "application/problem+json"


def test_a_form_field_with_nul_is_refused(client, make, admin):
    """Multipart forms are read by their endpoints (after raising the upload limit)."""
    response = client.post(
        "/api/v1/courses/import",
        data={"publish": "tr\u0000ue"},
        headers={**admin.headers, "X-Requested-With": "test"},
        content_type="multipart/form-data",
    )

    assert_problem(response, 422, fields=["publish"])
    assert make.count(Course) == 0


# JSON the parser must not choke on


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/password-reset"), ("POST", "/verify")],
)
def test_deeply_nested_json_to_an_anonymous_endpoint(client, method, path):
    response = send(client, method, path, DEEP)

    body = assert_problem(response, 400)
    assert "nested deeper than" in body["detail"]


def test_deeply_nested_objects_are_refused_too(client, admin):
    body = '{"a":' * 33 + "1" + "}" * 33

    assert_problem(send(client, "PATCH", "/api/v1/me", body, admin.headers), 400)


def test_a_number_over_the_parser_digit_limit_is_a_bad_request(client):
    body = '{"email": "a@b.test", "password": ' + "9" * 5000 + "}"

    assert_problem(send(client, "POST", "/api/v1/auth/login", body), 400)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e999"])
def test_numbers_json_does_not_have_are_refused_by_the_field(client, number):
    body = '{"email": "a@b.test", "password": ' + number + "}"

    assert_problem(send(client, "POST", "/api/v1/auth/login", body), 422, fields=["password"])


def test_a_schema_class_is_instantiated_once_not_for_every_request(app):
    made = []

    class Named(ma.Schema):
        name = ma.fields.String(required=True)

        def __init__(self, **kwargs):
            made.append(self)
            super().__init__(**kwargs)

    for name in ("first", "second"):
        with app.test_request_context("/", method="POST", json={"name": name}):
            assert Blueprint.ARGUMENTS_PARSER.parse(Named, location="json") == {"name": name}

    assert len(made) == 1


def test_a_body_is_parsed_once_for_its_check_and_its_arguments(client, admin, monkeypatch):
    parsed = []
    loads = json.loads
    monkeypatch.setattr(json, "loads", lambda text, **kw: parsed.append(text) or loads(text, **kw))

    response = send(client, "PATCH", "/api/v1/me", '{"full_name": "Aino Virtanen"}', admin.headers)

    assert response.status_code == 200
    assert response.get_json()["full_name"] == "Aino Virtanen"
    assert parsed == ['{"full_name": "Aino Virtanen"}']


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_a_body_in_another_encoding_than_utf8_is_refused(client, admin, encoding):
    body = '{"full_name": "Aino Virtanen"}'.encode(encoding)

    response = send(client, "PATCH", "/api/v1/me", body, admin.headers)

    assert assert_problem(response, 400)["detail"] == "Invalid JSON body."
    me = client.get("/api/v1/me", headers=admin.headers).get_json()
    assert me["full_name"] != "Aino Virtanen"
