"""Public verification by code (JSON or an HTML page) and of signed credentials (POST /verify)."""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from elearn.accounts.models import Role
from elearn.audit.models import AuditEvent
from elearn.certificates.models import Certificate, CertificateStatus
from tests.http import assert_problem

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
STATED = {
    "code",
    "status",
    "holder_name",
    "administration",
    "course",
    "completed_on",
    "language",
    "pdf_sha256",
}


@pytest.fixture
def admin(make):
    return make.user(Role.ADMIN, administration=None)


def revoke(client, admin, public_id: str, reason: str = "Obtained by fraud"):
    return client.post(
        f"/api/v1/certificates/{public_id}/revoke", json={"reason": reason}, headers=admin.headers
    )


def credential_of(client, graduate) -> str:
    response = client.get(
        f"/api/v1/certificates/{graduate.public_id}/credential", headers=graduate.person.headers
    )
    return str(response.json["credential"])


def test_a_code_shows_what_the_certificate_states_and_nothing_more(client, graduation):
    trainee = graduation.trainee(full_name="Giorgi Beridze", email="giorgi@customs.test")
    graduate = graduation.graduate(trainee)
    certificate = graduation.certificate_of(graduate.enrolment_id)

    response = client.get(f"/verify/{graduate.code}")

    assert response.status_code == 200
    assert response.json == {
        "code": graduate.code,
        "status": "valid",
        "holder_name": "Giorgi Beridze",
        "administration": "Customs of AZ",
        "course": certificate.course_title,
        "completed_on": certificate.completed_on.isoformat(),
        "language": "en",
        "pdf_sha256": certificate.pdf_sha256,
    }
    text = response.get_data(as_text=True)
    for private in ("giorgi@customs.test", graduate.public_id):
        assert private not in text
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("typed", ["lower", "no dashes", "spaces", "O and I"])
def test_a_code_is_read_the_way_people_type_it(client, graduation, typed):
    graduate = graduation.graduate()
    code = graduate.code
    variants = {
        "lower": code.lower(),
        "no dashes": code.replace("-", ""),
        "spaces": code.replace("-", " "),
        "O and I": code.replace("0", "O").replace("1", "I"),
    }

    response = client.get(f"/verify/{variants[typed]}")

    assert response.status_code == 200
    assert response.json["code"] == code


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("K7QM-9XDP-2HT", "has 12 characters; this one has 11"),
        ("K7QM-9XDP-2HTAA", "has 12 characters; this one has 13"),
        ("K7QM-9XDP-2HT!", "'!' cannot appear in it"),
        ("K7QM-9XDP-2HTÜ", "'Ü' cannot appear in it"),
    ],
)
def test_a_string_that_cannot_be_a_code_is_a_bad_request(client, graduation, typed, message):
    graduation.graduate()

    response = client.get(f"/verify/{typed}")

    body = assert_problem(response, 400, fields=["code"])
    assert message in body["detail"]
    assert response.json["errors"] == {"code": [response.json["detail"]]}


def test_an_unknown_code_and_a_pending_certificate_are_not_found(client, graduation):
    graduate = graduation.graduate()
    graduation.change(graduate.public_id, status=CertificateStatus.PENDING, issued_at=None)

    unknown = client.get("/verify/0000-0000-0000")
    pending = client.get(f"/verify/{graduate.code}")

    for response in (unknown, pending):
        assert (
            assert_problem(response, 404)["detail"] == "No certificate has this verification code."
        )


def test_malformed_and_unknown_codes_cost_the_same_single_lookup(client, queries):
    answers = {}
    statements = {}
    for name, code in (("unknown", "0000-0000-0000"), ("malformed", "0000-0000-000")):
        queries.reset()
        answers[name] = client.get(f"/verify/{code}").status_code
        statements[name] = list(queries.statements)

    assert answers == {"unknown": 404, "malformed": 400}
    for found in statements.values():
        [lookup] = found
        assert "FROM certificates" in lookup
        assert "verification_code" in lookup


def test_browsers_get_a_self_contained_escaped_page(client, graduation):
    trainee = graduation.trainee(full_name='<script>alert("x")</script> Beridze')
    graduate = graduation.graduate(trainee)

    response = client.get(f"/verify/{graduate.code}", headers=HTML)

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Valid certificate" in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Beridze" in page
    assert "<script" not in page
    for external in ("src=", "<link", "url(", "http://", "https://"):
        assert external not in page
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "style-src 'unsafe-inline'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Accept" in response.headers["Vary"]


def test_the_page_speaks_russian_or_french_when_asked(client, graduation):
    graduate = graduation.graduate()

    russian = client.get(f"/verify/{graduate.code}", headers={**HTML, "Accept-Language": "ru"})
    french = client.get(f"/verify/{graduate.code}?lang=fr", headers=HTML)

    assert "Сертификат действителен" in russian.get_data(as_text=True)
    assert russian.headers["Content-Language"] == "ru"
    assert "Certificat valide" in french.get_data(as_text=True)


def test_browsers_get_pages_for_bad_and_unknown_codes_too(client):
    bad = client.get("/verify/K7QM", headers=HTML)
    unknown = client.get("/verify/0000-0000-0000", headers=HTML)

    assert (bad.status_code, bad.mimetype) == (400, "text/html")
    assert "This is not a verification code." in bad.get_data(as_text=True)
    assert (unknown.status_code, unknown.mimetype) == (404, "text/html")
    assert "No certificate has this verification code." in unknown.get_data(as_text=True)


def test_a_revocation_shows_at_once_with_its_date_and_reason(client, graduation, admin, frozen):
    graduate = graduation.graduate()

    revoke(client, admin, graduate.public_id, reason="Exam taken by someone else")
    response = client.get(f"/verify/{graduate.code}")
    page = client.get(f"/verify/{graduate.code}", headers=HTML).get_data(as_text=True)

    assert response.json["status"] == "revoked"
    assert response.json["revoked_at"] == "2030-03-01T09:00:00+00:00"
    assert response.json["revocation_reason"] == "Exam taken by someone else"
    assert set(response.json) == STATED | {"revoked_at", "revocation_reason"}
    assert "Revoked certificate" in page
    assert "Revoked on 1\u00a0March 2030." in page
    assert "Exam taken by someone else" in page


def test_a_superseded_certificate_shows_nothing_personal(client, graduation, admin):
    trainee = graduation.trainee(full_name="Misspelt Nmae")
    graduate = graduation.graduate(trainee)

    client.post(
        f"/api/v1/certificates/{graduate.public_id}/reissue",
        json={"reason": "Name corrected", "holder_name": "Misspelt Name"},
        headers=admin.headers,
    )
    response = client.get(f"/verify/{graduate.code}")
    page = client.get(f"/verify/{graduate.code}", headers=HTML).get_data(as_text=True)

    assert set(response.json) == {"code", "status", "superseded_at"}
    assert response.json["status"] == "superseded"
    replacement = graduation.certificate_of(graduate.enrolment_id)
    for personal in ("Misspelt", replacement.verification_code, replacement.public_id):
        assert personal not in response.get_data(as_text=True)
        assert personal not in page
    assert "Superseded certificate" in page


def test_verification_is_rate_limited_per_address_across_get_and_post(client, reconfigure):
    reconfigure(verification_rate_limit="3 per minute")

    answers = [client.get("/verify/0000-0000-0000").status_code for _ in range(2)]
    answers.append(client.post("/verify", json={"credential": "x"}).status_code)
    answers.append(client.get("/verify/0000-0000-0000").status_code)
    other_address = client.get(
        "/verify/0000-0000-0000", environ_overrides={"REMOTE_ADDR": "192.0.2.7"}
    )

    assert answers == [404, 404, 422, 429]
    assert other_address.status_code == 404


def test_a_valid_credential_is_valid(client, graduation):
    graduate = graduation.graduate()

    response = client.post("/verify", json={"credential": credential_of(client, graduate)})

    assert response.status_code == 200
    assert response.json["verdict"] == "valid"
    assert response.json["revocation_reason"] is None
    assert response.json["certificate"]["status"] == "valid"
    assert response.json["certificate"]["code"] == graduate.code


def test_a_revoked_or_superseded_credential_says_so(client, graduation, admin):
    revoked, superseded = graduation.graduate(), graduation.graduate()
    tokens = {name: credential_of(client, g) for name, g in (("r", revoked), ("s", superseded))}
    revoke(client, admin, revoked.public_id, reason="Fraud")
    client.post(
        f"/api/v1/certificates/{superseded.public_id}/reissue",
        json={"reason": "Name corrected"},
        headers=admin.headers,
    )

    first = client.post("/verify", json={"credential": tokens["r"]})
    second = client.post("/verify", json={"credential": tokens["s"]})

    assert (first.json["verdict"], first.json["revocation_reason"]) == ("revoked", "Fraud")
    assert first.json["certificate"]["status"] == "revoked"
    assert second.json["verdict"] == "revoked"
    assert second.json["revocation_reason"] == "Replaced by a reissued certificate."
    assert set(second.json["certificate"]) == {"code", "status", "superseded_at"}


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _signed_by_a_stranger(token: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(
        claims, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": "stranger"}
    )


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        (_tampered, "bad_signature"),
        (_signed_by_a_stranger, "unknown_key"),
        (lambda token: token[:40], "malformed"),
        (lambda token: "not a jwt at all", "malformed"),
    ],
    ids=["tampered", "unknown key", "truncated", "garbage"],
)
def test_a_credential_we_did_not_sign_as_it_stands_is_refused(
    client, graduation, make, forge, reason
):
    graduate = graduation.graduate()
    token = credential_of(client, graduate)
    counts = (make.count(Certificate), make.count(AuditEvent))

    response = client.post("/verify", json={"credential": forge(token)})

    assert_problem(response, 422)
    assert (response.json["verdict"], response.json["reason"]) == ("invalid", reason)
    assert (make.count(Certificate), make.count(AuditEvent)) == counts


@pytest.mark.parametrize(
    "body", [{}, {"credential": ""}, {"credential": 7}, {"credential": "x", "extra": 1}]
)
def test_a_request_without_a_credential_is_refused(client, body):
    response = client.post("/verify", json=body)

    body = assert_problem(response, 422)
    assert {"credential", "extra"} & set(body["errors"])
