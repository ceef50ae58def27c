"""Verification codes people can read aloud and type, and unguessable public identifiers.

A verification code is 12 symbols of Crockford's base32 alphabet in three groups of four
(``K7QM-9XDP-2HTA``): 32 symbols, so 60 random bits from ``secrets``. The alphabet has no I, L,
O or U, and input is read the way Crockford prescribes, so the confusable pairs are not
ambiguous: whoever types O for 0, or I or L for 1, still gets the right code. Case, spaces and
dashes do not matter.
"""

from __future__ import annotations

import re
import secrets
from typing import NoReturn

from elearn.errors import Invalid

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
GROUP_LENGTH = 4
PUBLIC_ID_BYTES = 16

_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_IGNORED = re.compile(r"[\s\-_.]+")
_PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def new_verification_code() -> str:
    """A fresh code in its canonical form, e.g. ``K7QM-9XDP-2HTA``."""
    return _grouped("".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH)))


def normalize_code(raw: str) -> str:
    """The canonical form of a code someone typed; Invalid (naming the problem) otherwise."""
    symbols = _IGNORED.sub("", raw).upper().translate(_READ_AS)
    strangers = sorted({symbol for symbol in symbols if symbol not in ALPHABET})
    if strangers:
        listed = ", ".join(repr(symbol) for symbol in strangers)
        _refuse(f"A verification code uses only letters and digits; {listed} cannot appear in it.")
    if len(symbols) != CODE_LENGTH:
        _refuse(f"A verification code has {CODE_LENGTH} characters; this one has {len(symbols)}.")
    return _grouped(symbols)


def new_public_id() -> str:
    """An unguessable, URL-safe identifier (128 random bits) for a resource people share."""
    return secrets.token_urlsafe(PUBLIC_ID_BYTES)


def is_public_id(value: str) -> bool:
    """Whether ``value`` has the shape of a public id (cheap check before a lookup)."""
    return _PUBLIC_ID.fullmatch(value) is not None


def _grouped(symbols: str) -> str:
    return "-".join(
        symbols[start : start + GROUP_LENGTH] for start in range(0, CODE_LENGTH, GROUP_LENGTH)
    )


def _refuse(message: str) -> NoReturn:
    raise Invalid(message, errors={"code": [message]})
