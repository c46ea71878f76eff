"""AOS-DEMO-1: key = SHA-256(secret + level + seed)[:4]."""

import hashlib

import pytest

from vehicle_sim.security import DEV_SECRETS, compute_key, new_seed


def test_key_is_first_four_bytes_of_sha256_over_secret_level_and_seed() -> None:
    secret, seed = DEV_SECRETS["DME_B48"], bytes.fromhex("11223344")
    expected = hashlib.sha256(secret + b"\x11" + seed).digest()[:4]
    assert compute_key(secret, seed_level=0x11, seed=seed) == expected


def test_key_for_known_dme_vector() -> None:
    key = compute_key(DEV_SECRETS["DME_B48"], seed_level=0x11, seed=bytes.fromhex("11223344"))
    assert key == bytes.fromhex("715fdabe")


def test_key_depends_on_level() -> None:
    seed = bytes.fromhex("11223344")
    assert compute_key(DEV_SECRETS["DME_B48"], seed_level=0x01, seed=seed) == bytes.fromhex(
        "f7d58caa"
    )


def test_even_level_is_refused() -> None:
    with pytest.raises(ValueError, match="odd"):
        compute_key(DEV_SECRETS["DME_B48"], seed_level=0x12, seed=b"\x01\x02\x03\x04")


def test_new_seed_has_four_non_zero_bytes() -> None:
    seeds = [new_seed() for _ in range(200)]
    assert all(len(s) == 4 and 0 not in s for s in seeds)
