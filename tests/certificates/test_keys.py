from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from elearn import clock
from elearn.audit.models import AuditEvent
from elearn.certificates.credentials import keys
from elearn.certificates.models import SigningKey
from elearn.cli import main
from elearn.extensions import db

JWKS = "/.well-known/jwks.json"
PUBLIC_MEMBERS = {"kty", "crv", "x", "kid", "use", "alg"}


def run(app, *args: str, **kwargs):
    return app.test_cli_runner().invoke(main, ["keys", *args], **kwargs)


def generate(app) -> str:
    result = run(app, "generate")
    assert result.exit_code == 0, result.output
    return result.output.split()[-1]


def stored_keys(app) -> list[SigningKey]:
    with app.app_context():
        return list(db.session.scalars(select(SigningKey).order_by(SigningKey.id)))


def test_generate_creates_the_one_active_key_and_retires_the_previous(app):
    first = generate(app)
    second = generate(app)

    stored = stored_keys(app)
    assert [(key.kid, key.active) for key in stored] == [(first, False), (second, True)]
    assert stored[0].retired_at is not None
    assert stored[1].retired_at is None
    listing = run(app, "list").output.splitlines()
    assert listing[0].startswith(second)
    assert listing[0].endswith("active")
    assert listing[1].startswith(first)
    assert "retired" in listing[1]
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("signing_key.generated") == 2


def test_jwks_publishes_every_key_public_members_only(client, app, queries):
    retired = generate(app)
    active = generate(app)

    queries.reset()
    response = client.get(JWKS)

    assert response.status_code == 200
    assert queries.count == 1
    body = response.json
    assert [key["kid"] for key in body["keys"]] == [active, retired]
    for key in body["keys"]:
        assert set(key) == PUBLIC_MEMBERS
        assert (key["kty"], key["crv"], key["use"], key["alg"]) == (
            "OKP",
            "Ed25519",
            "sig",
            "EdDSA",
        )
    text = response.get_data(as_text=True)
    assert '"d"' not in text
    assert "PRIVATE" not in text
    assert all(key.sealed_private_key[3:40] not in text for key in stored_keys(app))


def test_jwks_is_public_and_cacheable_with_revalidation(client, app):
    generate(app)

    response = client.get(JWKS)
    again = client.get(JWKS, headers={"If-None-Match": response.headers["ETag"]})

    assert response.cache_control.public
    assert response.cache_control.max_age == 300
    assert again.status_code == 304
    assert again.cache_control.max_age == 300


def test_jwks_is_never_empty_its_first_reading_creates_the_first_key(client, app):
    assert stored_keys(app) == []

    first = client.get(JWKS).json["keys"]
    again = client.get(JWKS).json["keys"]

    [key] = stored_keys(app)
    assert [jwk["kid"] for jwk in first] == [jwk["kid"] for jwk in again] == [key.kid]
    assert key.active


def test_private_keys_are_sealed_at_rest(app):
    generate(app)

    [key] = stored_keys(app)

    assert key.sealed_private_key.startswith("v1.")
    assert "PRIVATE KEY" not in key.sealed_private_key
    with app.app_context():
        assert keys.active_signing_key().kid == key.kid


def test_another_secret_key_cannot_unseal_them(app, monkeypatch):
    generate(app)
    settings = app.extensions["elearn.settings"]
    monkeypatch.setitem(app.extensions, "elearn.settings", replace(settings, secret_key="x" * 40))

    with app.app_context(), pytest.raises(keys.SigningKeyUnavailable, match="elearn keys generate"):
        keys.active_signing_key()


def test_the_first_key_is_generated_when_a_credential_needs_one(app):
    with app.app_context():
        first = keys.active_signing_key()
        again = keys.active_signing_key()
        count = db.session.scalar(select(func.count()).select_from(SigningKey))

    assert first.kid == again.kid
    assert count == 1


def test_the_database_refuses_a_second_active_key(app):
    generate(app)

    with app.app_context():
        db.session.add(
            SigningKey(
                kid="another",
                public_jwk={},
                sealed_private_key="v1.x",
                active=True,
                created_at=clock.now(),
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_delete_withdraws_a_retired_key_but_never_the_active_one(client, app):
    retired = generate(app)
    active = generate(app)

    # A kid is base64url and may start with "-": after "--" click never reads it as an option.
    refused = run(app, "delete", "--yes", "--", active)
    deleted = run(app, "delete", "--yes", "--", retired)
    unknown = run(app, "delete", "--yes", "--", "no-such-kid")

    assert refused.exit_code != 0
    assert "active key cannot be deleted" in refused.output
    assert deleted.exit_code == 0
    assert unknown.exit_code != 0
    assert [key["kid"] for key in client.get(JWKS).json["keys"]] == [active]


def test_the_kid_is_the_rfc_7638_thumbprint(app):
    kid = generate(app)

    [key] = stored_keys(app)
    members = {name: key.public_jwk[name] for name in ("crv", "kty", "x")}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True)

    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest())

    assert canonical.startswith('{"crv":"Ed25519","kty":"OKP","x":')
    assert kid == key.kid == key.public_jwk["kid"] == thumbprint.rstrip(b"=").decode()
