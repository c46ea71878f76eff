"""Seed/key algorithms of UDS security access (service 0x27), by name.

An algorithm maps (secret, requestSeed level, seed) to the key. ``level`` is the odd
requestSeed sub-function (0x11 programming, 0x01 extended), not the even sendKey one. Both
algorithms here are published demonstration algorithms of AOS and the simulator, not real
vehicle-maker ones; their secrets are 16 bytes per ECU type.

- ``AOS-DEMO-1``: ``SHA-256(secret || bytes([level]) || seed)[:4]``
- ``AOS-DEMO-2``: ``HMAC-SHA256(key=secret, msg=bytes([level]) || seed)[:4]``

The name is what the programming catalog stores per ECU type (``EcuType.security_algorithm``)
and what the simulator's ECU config names. A name, once published, keeps its algorithm: a
changed algorithm gets a new name.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from types import MappingProxyType

__all__ = [
    "AOS_DEMO_1",
    "AOS_DEMO_2",
    "KEY_ALGORITHMS",
    "KEY_LENGTH",
    "SEED_LENGTH",
    "KeyAlgorithm",
    "UnknownKeyAlgorithmError",
    "aos_demo_1",
    "aos_demo_2",
    "key_algorithm",
]

SEED_LENGTH = 4
KEY_LENGTH = 4

AOS_DEMO_1 = "AOS-DEMO-1"
AOS_DEMO_2 = "AOS-DEMO-2"

# (secret, requestSeed level, seed) -> key
KeyAlgorithm = Callable[[bytes, int, bytes], bytes]


def _level_byte(level: int) -> bytes:
    if not 0 <= level <= 0xFF:
        raise ValueError(f"security level {level} is not a byte")
    return bytes([level])


def aos_demo_1(secret: bytes, level: int, seed: bytes) -> bytes:
    """AOS-DEMO-1: SHA-256(secret + bytes([level]) + seed)[:4]. Raises ValueError when
    ``level`` is not a byte."""
    return hashlib.sha256(bytes(secret) + _level_byte(level) + bytes(seed)).digest()[:KEY_LENGTH]


def aos_demo_2(secret: bytes, level: int, seed: bytes) -> bytes:
    """AOS-DEMO-2: HMAC-SHA256(secret, bytes([level]) + seed)[:4]. Raises ValueError when
    ``level`` is not a byte."""
    message = _level_byte(level) + bytes(seed)
    return hmac.new(bytes(secret), message, hashlib.sha256).digest()[:KEY_LENGTH]


KEY_ALGORITHMS: Mapping[str, KeyAlgorithm] = MappingProxyType(
    {AOS_DEMO_1: aos_demo_1, AOS_DEMO_2: aos_demo_2}
)


class UnknownKeyAlgorithmError(ValueError):
    """No algorithm of that name; ``known`` lists the names there are."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.known = tuple(sorted(KEY_ALGORITHMS))
        super().__init__(
            f"unknown security key algorithm {name!r} (known: {', '.join(self.known)})"
        )


def key_algorithm(name: str) -> KeyAlgorithm:
    """The algorithm called ``name`` (case-insensitive); raises ``UnknownKeyAlgorithmError``."""
    try:
        return KEY_ALGORITHMS[name.strip().upper()]
    except KeyError:
        raise UnknownKeyAlgorithmError(name) from None
