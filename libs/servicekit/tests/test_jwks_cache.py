"""JwksCache.ensure_loaded: the readiness view of the signing keys."""

from __future__ import annotations

import httpx

from servicekit.auth import JwksCache
from servicekit.testing import TestTokenIssuer


class Identity:
    """The identity service's JWKS endpoint, which can be taken down and brought back."""

    def __init__(self) -> None:
        self.issuer = TestTokenIssuer()
        self.up = False
        self.requests = 0

    def client(self) -> httpx.AsyncClient:
        def handler(request: httpx.Request) -> httpx.Response:
            self.requests += 1
            if not self.up:
                return httpx.Response(503, json={"status": 503})
            return httpx.Response(200, json=self.issuer.jwks())

        return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_keys_are_fetched_once_identity_answers_and_kept_when_it_goes_away() -> None:
    identity = Identity()
    jwks = JwksCache("http://identity/jwks", http=identity.client(), min_refetch_seconds=0)

    while_down = await jwks.ensure_loaded()
    identity.up = True
    once_up = await jwks.ensure_loaded()
    identity.up = False
    requests_before = identity.requests
    after_it_left = await jwks.ensure_loaded()

    assert (while_down, once_up, after_it_left) == (False, True, True)
    assert identity.requests == requests_before  # held keys are not fetched again
    assert await jwks.key(identity.issuer.kid) is not None


async def test_a_check_while_no_keys_are_held_asks_identity_at_most_once_per_refetch_interval() -> (
    None
):
    identity = Identity()
    jwks = JwksCache("http://identity/jwks", http=identity.client(), min_refetch_seconds=3600)

    results = [await jwks.ensure_loaded() for _ in range(3)]

    assert results == [False, False, False]
    assert identity.requests == 1
