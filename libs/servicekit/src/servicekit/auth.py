"""Access-token verification against the identity service's JWKS.

Keys are cached; a token with an unknown ``kid`` triggers a refetch, at most once per
``min_refetch_seconds``, so a flood of forged kids cannot hammer the identity service.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from jwt import PyJWK

from servicekit.logging import get_logger
from servicekit.problems import ProblemError, UnauthorizedError

if TYPE_CHECKING:
    from servicekit.revocations import TokenRevocations

log = get_logger(__name__)

ALLOWED_ALGORITHMS = ("EdDSA",)
# Longest accepted exp - iat of an access token, in seconds (identity issues 600 s tokens).
DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 3600


class InvalidTokenError(UnauthorizedError):
    slug = "invalid-token"
    title = "Invalid access token"


class IdentityUnavailableError(ProblemError):
    status = 503
    slug = "identity-unavailable"
    title = "Token keys unavailable"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user of an organisation, from a verified access token."""

    user_id: uuid.UUID
    organization_id: uuid.UUID
    roles: tuple[str, ...]
    token_id: str
    expires_at: int
    # When the token was issued (``iat``): a member deactivated or given another role after it
    # must not keep using it until it expires.
    issued_at: float = 0.0
    # The login the token was issued for (``sid``: identity's refresh-token family), so that
    # a user's list of logins can mark the one they are using; None in tokens without it.
    session_id: str | None = None


class JwksCache:
    """Caches the signing keys published at ``url``."""

    def __init__(
        self,
        url: str,
        *,
        http: httpx.AsyncClient | None = None,
        min_refetch_seconds: float = 10.0,
        timeout: float = 3.0,
    ) -> None:
        self.url = url
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._owns_http = http is None
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        self.min_refetch_seconds = min_refetch_seconds
        self.fetch_count = 0

    async def key(self, kid: str) -> PyJWK | None:
        """The key for ``kid``, refetching the set once if it is unknown."""
        found = self._keys.get(kid)
        if found is not None:
            return found
        async with self._lock:
            found = self._keys.get(kid)
            if found is None and time.monotonic() - self._fetched_at >= self.min_refetch_seconds:
                await self._fetch()
                found = self._keys.get(kid)
        return found

    async def ensure_loaded(self) -> bool:
        """Whether signing keys are held, fetching them first while none are (at most once per
        ``min_refetch_seconds``). Never raises: for readiness checks, which report the state.
        Keys once held stay held when a later refetch fails."""
        if self._keys:
            return True
        async with self._lock:
            if not self._keys and time.monotonic() - self._fetched_at >= self.min_refetch_seconds:
                with contextlib.suppress(IdentityUnavailableError):
                    await self._fetch()
        return bool(self._keys)

    async def _fetch(self) -> None:
        self._fetched_at = time.monotonic()
        self.fetch_count += 1
        try:
            response = await self._http.get(self.url)
            response.raise_for_status()
            document: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("cannot fetch JWKS", url=self.url, error=str(exc))
            if not self._keys:
                raise IdentityUnavailableError(
                    "The token signing keys cannot be fetched from the identity service; "
                    "retry in a few seconds."
                ) from exc
            return
        keys: dict[str, PyJWK] = {}
        for entry in document.get("keys", []):
            try:
                jwk = PyJWK(entry)
            except jwt.PyJWKError:
                continue
            if jwk.key_id:
                keys[jwk.key_id] = jwk
        self._keys = keys

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()


class VerifiedTokenCache:
    """A bounded LRU of verified tokens and their principals, each kept until its ``exp``.

    A client sends the same access token for its whole life, and the signature check plus claim
    validation costs several hundred microseconds of CPU per request (measured in the gateway
    benchmark), so a token is verified once and then only its expiry is compared. A cached token
    stays accepted until ``exp`` even if its key is withdrawn meanwhile: access tokens are
    short-lived. ``max_size`` 0 turns the cache off.
    """

    def __init__(self, max_size: int, *, clock: Callable[[], float] = time.time) -> None:
        self.max_size = max_size
        self._clock = clock
        self._entries: OrderedDict[str, Principal] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token: str) -> Principal | None:
        principal = self._entries.get(token)
        if principal is None:
            return None
        if self._clock() >= principal.expires_at:
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return principal

    def put(self, token: str, principal: Principal) -> None:
        if self.max_size <= 0:
            return
        self._entries[token] = principal
        self._entries.move_to_end(token)
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)


class TokenVerifier:
    """Verifies access tokens: signature by a known key, issuer, audience, expiry, and a
    lifetime (``exp - iat``, both required) of at most ``max_lifetime_seconds``."""

    def __init__(
        self,
        jwks: JwksCache,
        *,
        issuer: str,
        audience: str,
        max_lifetime_seconds: int = DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
        leeway: int = 5,
        cache_size: int = 10_000,
    ) -> None:
        self.jwks = jwks
        self.issuer = issuer
        self.audience = audience
        self.max_lifetime_seconds = max_lifetime_seconds
        self.leeway = leeway
        self.cache = VerifiedTokenCache(cache_size)

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; raises InvalidTokenError otherwise."""
        cached = self.cache.get(token)
        if cached is not None:
            return cached
        principal = await self._verify_signed(token)
        self.cache.put(token, principal)
        return principal

    async def _verify_signed(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidTokenError("The access token is malformed; log in again.") from exc
        kid = header.get("kid")
        if header.get("alg") not in ALLOWED_ALGORITHMS or not isinstance(kid, str):
            raise InvalidTokenError("The access token is not signed by AOS; log in again.")
        key = await self.jwks.key(kid)
        if key is None:
            raise InvalidTokenError("The access token is signed by an unknown key; log in again.")
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=list(ALLOWED_ALGORITHMS),
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub", "aud", "iss", "jti"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidTokenError("The access token has expired; refresh it.") from exc
        except jwt.PyJWTError as exc:
            raise InvalidTokenError(f"The access token is not valid here ({exc}).") from exc
        # A valid signature is not enough: a token minted to live for years (a leaked signing
        # key, a bug in the issuer) would stay usable long after anyone could notice.
        lifetime = int(claims["exp"]) - int(claims["iat"])
        if lifetime > self.max_lifetime_seconds:
            raise InvalidTokenError(
                f"The access token was issued for {lifetime} s, longer than the "
                f"{self.max_lifetime_seconds} s accepted here; log in again."
            )
        try:
            return Principal(
                user_id=uuid.UUID(claims["sub"]),
                organization_id=uuid.UUID(claims["org"]),
                roles=tuple(claims.get("roles", ())),
                token_id=str(claims["jti"]),
                expires_at=int(claims["exp"]),
                issued_at=float(claims["iat"]),
                session_id=str(claims["sid"]) if "sid" in claims else None,
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise InvalidTokenError("The access token lacks its organisation claim.") from exc


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError(
            "Send an access token as 'Authorization: Bearer <token>'; get one by logging in.",
        )
    return token.strip()


async def current_principal(request: Request) -> Principal:
    """The verified caller of ``request`` (any role); see servicekit.roles for role checks.

    Raises InvalidTokenError, and TokenRevokedError for a token issued before its member's
    access changed (servicekit.revocations; the verified-token cache does not skip that check).
    """
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = await verifier.verify(bearer_token(request))
    revocations: TokenRevocations | None = getattr(request.app.state, "token_revocations", None)
    if revocations is not None:
        revocations.check(principal)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
