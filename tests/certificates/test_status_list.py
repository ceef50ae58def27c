"""Revocation that any verifier understands: a W3C Bitstring Status List, read here by a reader
written from the specification alone (no code of the platform), and the public achievement
each credential names."""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import replace
from urllib.parse import urlsplit

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from elearn.accounts.models import Role
from tests.http import assert_problem

JWKS = "/.well-known/jwks.json"


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def path_of(url: str) -> str:
    assert url.startswith("http://elearn.test/")
    return urlsplit(url).path


class IndependentVerifier:
    """Checks a VC-JWT with the published JWKS and reads a status bit, as the Bitstring Status
    List and VC-JOSE specifications describe, using only the HTTP API and cryptography."""

    def __init__(self, client) -> None:
        self.client = client

    def claims(self, token: str) -> dict:
        header_part, payload_part, signature_part = token.split(".")
        header = json.loads(b64url(header_part))
        assert header["alg"] in ("EdDSA", "Ed25519")
        jwks = {jwk["kid"]: jwk for jwk in self.client.get(JWKS).json["keys"]}
        jwk = jwks[header["kid"]]
        assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
        public_key = Ed25519PublicKey.from_public_bytes(b64url(jwk["x"]))
        try:
            public_key.verify(b64url(signature_part), f"{header_part}.{payload_part}".encode())
        except InvalidSignature:
            pytest.fail("the signature does not verify")
        return json.loads(b64url(payload_part))

    def revoked(self, credential: dict) -> bool:
        entry = credential["credentialStatus"]
        assert entry["type"] == "BitstringStatusListEntry"
        assert entry["statusPurpose"] == "revocation"
        response = self.client.get(path_of(entry["statusListCredential"]))
        assert response.status_code == 200
        assert response.mimetype == "application/vc+jwt"
        status_list = self.claims(response.get_data(as_text=True))
        assert "BitstringStatusListCredential" in status_list["type"]
        assert status_list["id"] == entry["statusListCredential"]
        subject = status_list["credentialSubject"]
        assert (subject["type"], subject["statusPurpose"]) == ("BitstringStatusList", "revocation")
        encoded = subject["encodedList"]
        assert encoded.startswith("u")  # multibase base64url, no padding
        bits = gzip.decompress(b64url(encoded[1:]))
        assert len(bits) * 8 >= 131_072
        index = int(entry["statusListIndex"])
        return bool(bits[index // 8] & (0x80 >> (index % 8)))


@pytest.fixture
def verifier(client) -> IndependentVerifier:
    return IndependentVerifier(client)


def credential_of(client, graduate) -> str:
    response = client.get(
        f"/api/v1/certificates/{graduate.public_id}/credential", headers=graduate.person.headers
    )
    assert response.status_code == 200
    return response.json["credential"]


def test_an_independent_verifier_reads_a_revocation_from_the_status_list(
    client, graduation, make, verifier
):
    admin = make.user(Role.ADMIN, administration=None)
    course = graduation.course()
    revoked, standing = graduation.graduate(course=course), graduation.graduate(course=course)
    revoked_credential = verifier.claims(credential_of(client, revoked))
    standing_credential = verifier.claims(credential_of(client, standing))
    assert not verifier.revoked(revoked_credential)

    response = client.post(
        f"/api/v1/certificates/{revoked.public_id}/revoke",
        json={"reason": "Issued in error"},
        headers=admin.headers,
    )

    assert response.status_code == 200
    assert verifier.revoked(revoked_credential)
    assert not verifier.revoked(standing_credential)
    assert (
        revoked_credential["credentialStatus"]["statusListIndex"]
        != standing_credential["credentialStatus"]["statusListIndex"]
    )


def test_a_reissue_supersedes_the_old_credential_in_the_list(client, graduation, make, verifier):
    admin = make.user(Role.ADMIN, administration=None)
    graduate = graduation.graduate()
    old = verifier.claims(credential_of(client, graduate))

    response = client.post(
        f"/api/v1/certificates/{graduate.public_id}/reissue",
        json={"reason": "Name corrected", "holder_name": "Corrected Name"},
        headers=admin.headers,
    )

    assert response.status_code == 202
    assert verifier.revoked(old)


def test_a_status_list_is_public_cacheable_and_revalidates(client, graduation):
    graduate = graduation.graduate()
    credential = IndependentVerifier(client).claims(credential_of(client, graduate))
    path = path_of(credential["credentialStatus"]["statusListCredential"])

    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})

    assert first.status_code == 200
    assert first.cache_control.public
    assert first.cache_control.max_age == 300
    assert again.status_code == 304


def test_a_list_past_the_last_certificate_is_not_found(client, graduation):
    graduation.graduate()

    assert_problem(client.get("/credentials/status/7"), 404)


def test_the_achievement_a_credential_names_is_public(client, graduation, verifier):
    graduate = graduation.graduate()
    credential = verifier.claims(credential_of(client, graduate))
    achievement_id = credential["credentialSubject"]["achievement"]["id"]

    english = client.get(path_of(achievement_id))
    russian = client.get(path_of(achievement_id), query_string={"lang": "ru"})

    assert english.status_code == 200
    assert english.json["id"] == achievement_id
    assert english.json["type"] == ["Achievement"]
    assert english.json["achievementType"] == "CertificateOfCompletion"
    assert english.json["criteria"]["narrative"].startswith("Completed every")
    assert english.json["inLanguage"] == "en"
    assert english.cache_control.public
    # The course has no Russian texts: its default language answers, and says so.
    assert russian.json["inLanguage"] == "en"


def test_a_draft_course_has_no_public_achievement(client, graduation, make):
    admin = make.user(Role.ADMIN, administration=None)
    course = graduation.course()
    unpublished = client.post(f"/api/v1/courses/{course.id}/unpublish", headers=admin.headers)
    assert unpublished.status_code == 200, unpublished.json

    assert_problem(client.get(f"/credentials/achievements/{course.id}"), 404)
    assert_problem(client.get("/credentials/achievements/999999"), 404)


def test_credentials_can_name_the_fully_specified_algorithm(
    app, client, graduation, monkeypatch, verifier
):
    settings = replace(app.extensions["elearn.settings"], credential_jwt_algorithm="Ed25519")
    monkeypatch.setitem(app.extensions, "elearn.settings", settings)
    graduate = graduation.graduate()

    token = credential_of(client, graduate)
    checked = client.post("/verify", json={"credential": token})

    assert json.loads(b64url(token.split(".")[0]))["alg"] == "Ed25519"
    assert verifier.claims(token)["id"] == f"http://elearn.test/verify/{graduate.code}"
    assert checked.status_code == 200
    assert checked.json["verdict"] == "valid"
    assert {jwk["alg"] for jwk in client.get(JWKS).json["keys"]} == {"Ed25519"}


@pytest.mark.committed
def test_a_status_list_asked_for_before_any_signing_key_exists_makes_the_first(client):
    # A safe request runs each statement on its own, but making the first key takes a
    # transaction (a savepoint guards the race): the view asks for one.
    response = client.get("/credentials/status/1")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_data(as_text=True).count(".") == 2
