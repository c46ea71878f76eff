"""Security-access key providers.

In production the key comes from the programming service (ECU secrets never live on the
agent); for the offline ``flash`` command a local algorithm of the contracts package
(``aos_contracts.keys``) is chosen by name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aos_contracts.keys import KEY_ALGORITHMS, aos_demo_1, key_algorithm

__all__ = ["KEY_ALGORITHMS", "KeyProvider", "aos_demo_1_key", "local_key_provider"]

# key_for(level, seed) -> key, sync or async.
KeyProvider = Callable[[int, bytes], bytes | Awaitable[bytes]]

# The name the agent's tests and tools know the demo algorithm by.
aos_demo_1_key = aos_demo_1


def local_key_provider(algorithm: str, secret: bytes) -> KeyProvider:
    """A provider computing keys locally with the algorithm called ``algorithm`` (any case);
    raises ``ValueError`` (``UnknownKeyAlgorithmError``) for an unknown one."""
    function = key_algorithm(algorithm)

    def key_for(level: int, seed: bytes) -> bytes:
        return function(secret, level, seed)

    return key_for
