"""GET /.well-known/jwks.json: the public keys that verify our access tokens."""

from __future__ import annotations

from fastapi import APIRouter, Response

from identity.api.deps import KeyRingDep
from identity.api.schemas import JwksRead

router = APIRouter(tags=["keys"])


@router.get("/.well-known/jwks.json", summary="JSON Web Key Set of the token signing keys")
async def read_jwks(key_ring: KeyRingDep, response: Response) -> JwksRead:
    # Verifiers refetch on an unknown kid anyway; a short cache keeps rotation quick.
    response.headers["Cache-Control"] = "public, max-age=300"
    return JwksRead(keys=key_ring.jwks()["keys"])
