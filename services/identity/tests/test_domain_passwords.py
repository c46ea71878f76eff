"""Password policy and argon2id hashing (no database)."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters

from identity.domain.passwords import (
    PasswordPolicyError,
    check_password_policy,
    hash_password,
    password_needs_rehash,
    verify_password,
)


def test_password_of_12_characters_is_accepted() -> None:
    assert check_password_policy("a" * 12) == "a" * 12


def test_password_of_11_characters_is_refused_with_the_minimum_named() -> None:
    with pytest.raises(PasswordPolicyError, match="at least 12"):
        check_password_policy("a" * 11)


def test_password_of_128_characters_is_accepted() -> None:
    assert check_password_policy("b" * 128) == "b" * 128


def test_password_of_129_characters_is_refused_with_the_maximum_named() -> None:
    with pytest.raises(PasswordPolicyError, match="at most 128"):
        check_password_policy("b" * 129)


def test_password_of_only_spaces_is_refused() -> None:
    with pytest.raises(PasswordPolicyError, match="whitespace"):
        check_password_policy(" " * 20)


def test_hash_uses_argon2id_with_owasp_parameters() -> None:
    parameters = extract_parameters(hash_password("correct horse battery staple"))
    assert parameters.type.name == "ID"
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (19456, 2, 1)


def test_hash_verifies_the_right_password_only() -> None:
    stored = hash_password("correct horse battery staple")
    assert verify_password(stored, "correct horse battery staple")
    assert not verify_password(stored, "correct horse battery stapler")


def test_same_password_hashes_differently_each_time() -> None:
    assert hash_password("correct horse battery staple") != hash_password(
        "correct horse battery staple"
    )


def test_malformed_hash_never_verifies() -> None:
    assert not verify_password("not-a-hash", "anything at all")


def test_hash_with_weaker_parameters_needs_rehash() -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("x" * 12)
    assert password_needs_rehash(weak)
    assert not password_needs_rehash(hash_password("x" * 12))
