"""Pairing codes, credentials and their digests."""

from __future__ import annotations

import hashlib
import re

from programming.domain.credentials import (
    PAIRING_ALPHABET,
    digest,
    new_credential,
    new_pairing_code,
    normalize_pairing_code,
)


def test_pairing_code_is_two_groups_of_four_unambiguous_characters() -> None:
    for _ in range(200):
        code = new_pairing_code()
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
        assert set(code.replace("-", "")) <= set(PAIRING_ALPHABET)


def test_pairing_alphabet_has_no_characters_people_confuse() -> None:
    assert not set("0O1IL5S2Z") & set(PAIRING_ALPHABET)


def test_normalize_forgives_case_spaces_and_dashes() -> None:
    assert normalize_pairing_code(" abcd efgh ") == "ABCD-EFGH"
    assert normalize_pairing_code("ABCDEFGH") == "ABCD-EFGH"


def test_normalize_refuses_wrong_length_or_characters() -> None:
    assert normalize_pairing_code("ABCD-EFG") is None
    assert normalize_pairing_code("ABCD-EFG0") is None
    assert normalize_pairing_code("") is None


def test_credentials_are_long_and_distinct() -> None:
    first, second = new_credential(), new_credential()
    assert first != second
    assert len(first) >= 43


def test_digest_is_sha256_of_the_utf8_text() -> None:
    assert digest("abc") == hashlib.sha256(b"abc").digest()
