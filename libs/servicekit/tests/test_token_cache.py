"""The cache of verified access tokens inside TokenVerifier."""

from __future__ import annotations

import uuid

from servicekit.auth import JwksCache, Principal, TokenVerifier, VerifiedTokenCache
from servicekit.testing import TestTokenIssuer


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def principal(expires_at: int) -> Principal:
    return Principal(
        user_id=uuid.uuid4(),
        organization_id=uuid.uuid4(),
        roles=("owner",),
        token_id="j",
        expires_at=expires_at,
    )


def test_remembered_token_is_valid_until_it_expires() -> None:
    clock = Clock()
    cache = VerifiedTokenCache(10, clock=clock)
    cache.put("t", principal(1_060))
    assert cache.get("t") is not None
    clock.now = 1_060
    assert cache.get("t") is None
    assert len(cache) == 0


def test_least_recently_used_token_is_dropped_when_full() -> None:
    cache = VerifiedTokenCache(2, clock=Clock())
    cache.put("a", principal(2_000))
    cache.put("b", principal(2_000))
    assert cache.get("a") is not None  # "b" is now the least recently used
    cache.put("c", principal(2_000))
    assert cache.get("a") is not None
    assert cache.get("b") is None
    assert cache.get("c") is not None


def test_size_zero_turns_the_cache_off() -> None:
    cache = VerifiedTokenCache(0, clock=Clock())
    cache.put("a", principal(2_000))
    assert cache.get("a") is None


async def test_verifier_checks_a_token_once_then_answers_from_the_cache() -> None:
    issuer = TestTokenIssuer()
    jwks = JwksCache("http://identity/jwks", http=issuer.http_client())
    verifier = TokenVerifier(jwks, issuer=issuer.issuer, audience=issuer.audience)
    token = issuer.token()
    first = await verifier.verify(token)
    assert len(verifier.cache) == 1
    assert await verifier.verify(token) is first
    await jwks.aclose()
