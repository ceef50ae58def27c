from __future__ import annotations

import math
import re

import pytest

from elearn.certificates.service.codes import (
    ALPHABET,
    is_public_id,
    new_public_id,
    new_verification_code,
    normalize_code,
)
from elearn.errors import Invalid

CANONICAL = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


def test_codes_are_three_groups_of_four_from_an_alphabet_without_look_alikes():
    codes = [new_verification_code() for _ in range(2000)]

    assert all(CANONICAL.fullmatch(code) for code in codes)
    used = {symbol for code in codes for symbol in code.replace("-", "")}
    assert used <= set(ALPHABET)
    assert not used & set("ILOU")
    assert len(set(ALPHABET)) == 32


def test_codes_carry_at_least_60_random_bits_and_do_not_repeat():
    assert 12 * math.log2(len(ALPHABET)) >= 60
    assert len({new_verification_code() for _ in range(20_000)}) == 20_000


@pytest.mark.parametrize(
    "typed",
    [
        "K7QM-9XDP-2HTA",
        "k7qm-9xdp-2hta",
        "K7QM9XDP2HTA",
        " k7qm 9xdp 2hta ",
        "k7qm.9xdp_2hta",
    ],
)
def test_typed_codes_are_read_whatever_their_case_spaces_and_dashes(typed):
    assert normalize_code(typed) == "K7QM-9XDP-2HTA"


def test_look_alike_letters_are_read_as_the_digits_they_resemble():
    assert normalize_code("OOIL-0011-ABCD") == "0011-0011-ABCD"


def test_the_canonical_form_is_stable():
    code = new_verification_code()

    assert normalize_code(code) == code
    assert normalize_code(normalize_code(code.lower())) == code


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("K7QM-9XDP-2HT", "has 12 characters; this one has 11"),
        ("K7QM-9XDP-2HTAA", "has 12 characters; this one has 13"),
        ("", "has 12 characters; this one has 0"),
        ("K7QM-9XDP-2HTU", "'U' cannot appear"),
        ("К7QM-9XDP-2HTA", "'К' cannot appear"),  # a Cyrillic look-alike of K
        ("K7QM-9XDP-2H!A", "'!' cannot appear"),
    ],
)
def test_wrong_length_or_characters_get_a_clear_error(typed, message):
    with pytest.raises(Invalid) as raised:
        normalize_code(typed)

    assert message in raised.value.detail
    assert raised.value.errors == {"code": [raised.value.detail]}


def test_public_ids_are_url_safe_unguessable_and_unique():
    ids = [new_public_id() for _ in range(5000)]

    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", public_id) for public_id in ids)
    assert all(is_public_id(public_id) for public_id in ids)
    assert not is_public_id("../etc/passwd")
    assert not is_public_id("K7QM-9XDP-2HTA")
