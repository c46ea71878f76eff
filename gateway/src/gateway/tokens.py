"""Access-token checks at the edge.

Verified tokens are remembered until they expire by servicekit's TokenVerifier (see
servicekit.auth.VerifiedTokenCache and the numbers in :mod:`gateway.proxy`); each service
verifies the token again itself.
"""

from __future__ import annotations

from servicekit.auth import TokenVerifier
from servicekit.problems import UnauthorizedError

__all__ = ["EdgeAuthenticator", "bearer_token"]


def bearer_token(authorization: bytes | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.decode("latin-1").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


class EdgeAuthenticator:
    """Checks access tokens with servicekit's verifier (EdDSA, issuer, audience, JWKS)."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier

    async def check(self, authorization: bytes | None) -> None:
        """Return if the header carries a valid token.

        Raises servicekit's UnauthorizedError when the header is missing or not a bearer token,
        InvalidTokenError when the token is not valid, and IdentityUnavailableError when the
        signing keys cannot be fetched.
        """
        token = bearer_token(authorization)
        if token is None:
            raise UnauthorizedError(
                "Send an access token as 'Authorization: Bearer <token>'; get one by logging in."
            )
        await self.verifier.verify(token)
