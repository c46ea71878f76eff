import hashlib

import pytest

from vci_agent.keys import aos_demo_1_key, local_key_provider

SECRET = bytes.fromhex("d3e1f2a4b5c6d7e8f9a0b1c2d3e4f506")


def test_aos_demo_1_is_sha256_of_secret_level_and_seed_truncated_to_4_bytes() -> None:
    seed = b"\x01\x02\x03\x04"

    expected = hashlib.sha256(SECRET + b"\x11" + seed).digest()[:4]
    assert aos_demo_1_key(SECRET, 0x11, seed) == expected


def test_local_key_provider_uses_the_named_algorithm() -> None:
    key_for = local_key_provider("aos-demo-1", SECRET)

    assert key_for(0x11, b"\x0a\x0b\x0c\x0d") == aos_demo_1_key(SECRET, 0x11, b"\x0a\x0b\x0c\x0d")


def test_local_key_provider_refuses_an_unknown_algorithm() -> None:
    with pytest.raises(ValueError, match="unknown security key algorithm 'rot13'"):
        local_key_provider("rot13", SECRET)
