"""Security-access key providers.

In production the key comes from the programming service (ECU secrets never live on the
agent); for the offline ``flash`` command a local algorithm is chosen by option.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

__all__ = ["KEY_ALGORITHMS", "KeyProvider", "aos_demo_1_key", "local_key_provider"]

# key_for(level, seed) -> key, sync or async.
KeyProvider = Callable[[int, bytes], bytes | Awaitable[bytes]]


def aos_demo_1_key(secret: bytes, level: int, seed: bytes) -> bytes:
    """AOS-DEMO-1: SHA-256(secret + bytes([level]) + seed)[:4]; ``level`` is the requestSeed one.

    A demonstration algorithm of the simulator and the demo catalog, not a real OEM one.
    """
    return hashlib.sha256(secret + bytes([level]) + seed).digest()[:4]


KEY_ALGORITHMS: dict[str, Callable[[bytes, int, bytes], bytes]] = {"aos-demo-1": aos_demo_1_key}


def local_key_provider(algorithm: str, secret: bytes) -> KeyProvider:
    """A provider computing keys locally; raises ``ValueError`` for an unknown algorithm."""
    try:
        function = KEY_ALGORITHMS[algorithm]
    except KeyError:
        known = ", ".join(sorted(KEY_ALGORITHMS))
        raise ValueError(f"unknown key algorithm {algorithm!r} (known: {known})") from None

    def key_for(level: int, seed: bytes) -> bytes:
        return function(secret, level, seed)

    return key_for
