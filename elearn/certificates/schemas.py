"""Serialisation of the public signing keys."""

from __future__ import annotations

import marshmallow as ma


class JwkSchema(ma.Schema):
    """A public Ed25519 key (RFC 8037); only these public members are ever written."""

    kty = ma.fields.String()
    crv = ma.fields.String()
    x = ma.fields.String()
    kid = ma.fields.String()
    use = ma.fields.String()
    alg = ma.fields.String()


class JwksSchema(ma.Schema):
    keys = ma.fields.List(ma.fields.Nested(JwkSchema))
