from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from elearn import clock
from elearn.certificates.credentials import keys, status_list
from elearn.certificates.credentials.credential import (
    Reason,
    Verdict,
    build_credential,
    sign_credential,
    verify_credential,
)
from tests.certificates.samples import ACHIEVEMENT, ISSUER, RUSSIAN

ISSUED_AT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
POSITION = status_list.Position.of(131_075)
VERIFY_URL = "http://elearn.test/verify/K7QM-9XDP-2HTA"


@pytest.fixture
def context(app):
    with app.app_context():
        yield


@pytest.fixture
def credential():
    return build_credential(RUSSIAN, ACHIEVEMENT, ISSUER, ISSUED_AT, POSITION)


def segments(token: str) -> list[dict]:
    header, payload, _ = token.split(".")
    return [json.loads(base64.urlsafe_b64decode(part + "==")) for part in (header, payload)]


def reencode(claims: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()


def test_the_credential_has_the_open_badges_3_shape(credential):
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == VERIFY_URL
    assert credential["issuer"] == {
        "id": "http://elearn.test",
        "type": ["Profile"],
        "name": "WCO Europe Regional Training Centre",
    }
    assert credential["validFrom"] == "2026-03-14T09:30:00+00:00"
    assert credential["credentialStatus"] == {
        "id": "http://elearn.test/credentials/status/2#2",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "2",
        "statusListCredential": "http://elearn.test/credentials/status/2",
    }
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": RUSSIAN.trainee_name,
        }
    ]
    achievement = subject["achievement"]
    assert achievement["id"] == ACHIEVEMENT.id
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == RUSSIAN.course_title
    assert achievement["description"] == ACHIEVEMENT.description
    assert achievement["criteria"] == {"narrative": ACHIEVEMENT.criteria}
    assert "email" not in json.dumps(credential).lower()


def test_a_signed_credential_verifies_and_gives_back_what_was_signed(context, credential):
    token = sign_credential(credential)

    result = verify_credential(token)

    assert result.verdict is Verdict.VALID
    assert result.valid
    assert result.credential == credential
    assert result.kid == keys.active_signing_key().kid


def test_the_jwt_is_eddsa_with_the_key_id_and_registered_claims(context, credential):
    header, payload = segments(sign_credential(credential))

    assert header == {"alg": "EdDSA", "kid": keys.active_signing_key().kid, "typ": "JWT"}
    assert payload["iss"] == "http://elearn.test"
    assert payload["jti"] == VERIFY_URL
    assert payload["nbf"] == int(ISSUED_AT.timestamp())
    assert payload["credentialSubject"] == credential["credentialSubject"]


def test_a_tampered_payload_is_invalid(context, credential):
    header, _, signature = sign_credential(credential).split(".")
    forged = json.loads(json.dumps(credential))
    forged["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    claims = {**forged, "iss": "http://elearn.test", "jti": VERIFY_URL, "nbf": 0}

    result = verify_credential(f"{header}.{reencode(claims)}.{signature}")

    assert (result.verdict, result.reason) == (Verdict.INVALID, Reason.BAD_SIGNATURE)
    assert result.credential is None


def test_a_tampered_signature_is_invalid(context, credential):
    token = sign_credential(credential)
    header, payload, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    result = verify_credential(f"{header}.{payload}.{flipped}")

    assert result.reason is Reason.BAD_SIGNATURE


def test_a_key_we_never_published_is_unknown(context, credential):
    stranger = Ed25519PrivateKey.generate()
    token = jwt.encode(credential, stranger, algorithm="EdDSA", headers={"kid": "not-ours"})

    result = verify_credential(token)

    assert (result.verdict, result.reason, result.kid) == (
        Verdict.INVALID,
        Reason.UNKNOWN_KEY,
        "not-ours",
    )


def test_a_token_without_kid_is_unknown(context, credential):
    token = jwt.encode(credential, Ed25519PrivateKey.generate(), algorithm="EdDSA")

    assert verify_credential(token).reason is Reason.UNKNOWN_KEY


def test_a_kid_that_is_no_string_is_malformed(context, credential):
    header = reencode({"alg": "EdDSA", "kid": 7})

    result = verify_credential(f"{header}.{reencode(credential)}.c2lnbmF0dXJl")

    assert (result.reason, result.kid) == (Reason.MALFORMED, None)


def test_our_kid_on_someone_elses_signature_is_a_bad_signature(context, credential):
    kid = keys.active_signing_key().kid
    token = jwt.encode(
        credential, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": kid}
    )

    assert verify_credential(token).reason is Reason.BAD_SIGNATURE


@pytest.mark.parametrize("algorithm", ["none", "HS256"])
def test_other_algorithms_are_refused(context, credential, algorithm):
    kid = keys.active_signing_key().kid
    secret = None if algorithm == "none" else "x" * 32
    token = jwt.encode(credential, secret, algorithm=algorithm, headers={"kid": kid})

    result = verify_credential(token)

    assert (result.verdict, result.reason) == (Verdict.INVALID, Reason.UNSUPPORTED_ALGORITHM)


@pytest.mark.parametrize("garbage", ["", "not a jwt", "a.b.c", "eyJhbGciOiJFZERTQSJ9..", "é.é.é"])
def test_garbage_is_malformed_never_an_exception(context, garbage):
    result = verify_credential(garbage)

    assert result.verdict is Verdict.INVALID
    assert result.reason in {Reason.MALFORMED, Reason.UNKNOWN_KEY}


def test_a_signed_payload_that_is_no_credential_is_refused(context):
    key = keys.active_signing_key()
    token = jwt.encode(
        {"iss": "x", "jti": "y", "nbf": 0},
        key.private_key,
        algorithm="EdDSA",
        headers={"kid": key.kid},
    )

    assert verify_credential(token).reason is Reason.NOT_A_CREDENTIAL


def test_a_credential_valid_only_in_the_future_is_not_yet_valid(context):
    later = build_credential(
        RUSSIAN, ACHIEVEMENT, ISSUER, clock.now() + timedelta(days=2), POSITION
    )

    assert verify_credential(sign_credential(later)).reason is Reason.NOT_YET_VALID


def test_credentials_signed_before_a_rotation_still_verify(context, app, credential):
    old_token = sign_credential(credential)
    old_kid = keys.active_signing_key().kid

    keys.generate_signing_key()
    new_token = sign_credential(credential)

    assert verify_credential(old_token).valid
    assert verify_credential(old_token).kid == old_kid
    assert verify_credential(new_token).valid
    assert verify_credential(new_token).kid != old_kid


def test_credentials_of_a_deleted_key_no_longer_verify(context, credential):
    token = sign_credential(credential)
    old_kid = keys.active_signing_key().kid
    keys.generate_signing_key()

    keys.delete_signing_key(old_kid)

    assert verify_credential(token).reason is Reason.UNKNOWN_KEY


def test_revocation_is_asked_of_the_status_lookup_once_the_signature_holds(context, credential):
    token = sign_credential(credential)
    asked = []

    def revoked(found):
        asked.append(found["id"])
        return "Issued in error"

    result = verify_credential(token, status_of=revoked)
    standing = verify_credential(token, status_of=lambda found: None)

    assert asked == [VERIFY_URL]
    assert (result.verdict, result.reason, result.revocation_reason) == (
        Verdict.REVOKED,
        Reason.REVOKED,
        "Issued in error",
    )
    assert result.credential == credential
    assert not result.valid
    assert standing.valid


def test_the_status_lookup_is_not_asked_about_a_forgery(context, credential):
    stranger = Ed25519PrivateKey.generate()
    kid = keys.active_signing_key().kid
    token = jwt.encode(credential, stranger, algorithm="EdDSA", headers={"kid": kid})

    def must_not_be_called(_):
        raise AssertionError("asked about a forged credential")

    assert verify_credential(token, status_of=must_not_be_called).reason is Reason.BAD_SIGNATURE
