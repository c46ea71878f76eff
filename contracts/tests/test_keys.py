import hashlib
import hmac

import pytest

from aos_contracts.keys import (
    AOS_DEMO_1,
    AOS_DEMO_2,
    KEY_ALGORITHMS,
    KeyAlgorithm,
    UnknownKeyAlgorithmError,
    aos_demo_1,
    aos_demo_2,
    key_algorithm,
)

SECRET = bytes.fromhex("d3e1f2a4b5c6d7e8f9a0b1c2d3e4f506")
SEED = bytes.fromhex("11223344")


def test_aos_demo_1_known_vectors() -> None:
    assert aos_demo_1(SECRET, 0x11, SEED) == bytes.fromhex("715fdabe")
    assert aos_demo_1(SECRET, 0x01, SEED) == bytes.fromhex("f7d58caa")


def test_aos_demo_1_is_sha256_over_secret_level_and_seed() -> None:
    assert aos_demo_1(SECRET, 0x11, SEED) == hashlib.sha256(SECRET + b"\x11" + SEED).digest()[:4]


def test_aos_demo_2_is_hmac_sha256_keyed_with_the_secret() -> None:
    expected = hmac.new(SECRET, b"\x11" + SEED, hashlib.sha256).digest()[:4]

    assert aos_demo_2(SECRET, 0x11, SEED) == expected
    assert aos_demo_2(SECRET, 0x11, SEED) == bytes.fromhex("44d63165")


def test_the_two_algorithms_give_different_keys() -> None:
    assert aos_demo_1(SECRET, 0x11, SEED) != aos_demo_2(SECRET, 0x11, SEED)


@pytest.mark.parametrize("algorithm", [aos_demo_1, aos_demo_2])
def test_a_level_that_is_not_a_byte_is_rejected(algorithm: KeyAlgorithm) -> None:
    with pytest.raises(ValueError, match="not a byte"):
        algorithm(SECRET, 0x100, SEED)


def test_algorithms_are_found_by_name_in_any_case() -> None:
    assert key_algorithm("AOS-DEMO-1") is aos_demo_1
    assert key_algorithm("aos-demo-1") is aos_demo_1
    assert key_algorithm(AOS_DEMO_2) is aos_demo_2
    assert set(KEY_ALGORITHMS) == {AOS_DEMO_1, AOS_DEMO_2}


def test_an_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownKeyAlgorithmError) as caught:
        key_algorithm("OEM-X")

    assert caught.value.known == ("AOS-DEMO-1", "AOS-DEMO-2")
    assert str(caught.value) == (
        "unknown security key algorithm 'OEM-X' (known: AOS-DEMO-1, AOS-DEMO-2)"
    )
