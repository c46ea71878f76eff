"""Access tokens (Ed25519 JWT) and refresh tokens (opaque, rotated, reuse-detecting)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from identity.config import Settings
from identity.db.accounts import UserRepository
from identity.db.credentials import RefreshTokenRepository
from identity.db.models import User
from identity.domain.tokens import hash_token, new_token
from identity.errors import (
    RefreshTokenExpiredError,
    RefreshTokenInvalidError,
    RefreshTokenReusedError,
)
from identity.member_errors import AccountDeactivatedError
from identity.services.signing_keys import KeyRing
from servicekit.db import Database
from servicekit.logging import get_logger
from servicekit.problems import ProblemError

__all__ = ["IssuedTokens", "TokenService"]

log = get_logger(__name__)


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str = field(repr=False)
    # Lifetimes in seconds from now.
    expires_in: int
    refresh_token: str = field(repr=False)
    refresh_expires_in: int


class TokenService:
    """Issues and rotates the tokens of logged-in users."""

    def __init__(self, key_ring: KeyRing, *, settings: Settings) -> None:
        self.key_ring = key_ring
        self.settings = settings

    def access_token(self, user: User, *, now: datetime) -> str:
        issued_at = int(now.timestamp())
        claims = {
            "sub": str(user.id),
            "org": str(user.organization_id),
            "roles": [user.role],
            "iss": self.settings.jwt_issuer,
            "aud": self.settings.jwt_audience,
            "iat": issued_at,
            "exp": issued_at + self.settings.access_token_ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        return self.key_ring.sign(claims)

    def issue(
        self,
        session: AsyncSession,
        user: User,
        *,
        now: datetime,
        family_id: uuid.UUID | None = None,
    ) -> IssuedTokens:
        """A new access token and a refresh token stored in ``session`` (a new family unless
        ``family_id`` continues one)."""
        refresh_token = new_token()
        ttl = self.settings.refresh_token_ttl_seconds
        RefreshTokenRepository(session).add(
            user_id=user.id,
            family_id=family_id or uuid.uuid4(),
            token_hash=hash_token(refresh_token),
            expires_at=now + timedelta(seconds=ttl),
        )
        return IssuedTokens(
            access_token=self.access_token(user, now=now),
            expires_in=self.settings.access_token_ttl_seconds,
            refresh_token=refresh_token,
            refresh_expires_in=ttl,
        )

    async def refresh(
        self, database: Database, refresh_token: str, *, now: datetime
    ) -> IssuedTokens:
        """Trade a refresh token for new tokens; the presented one is used up.

        Presenting a token that was already used means it was copied: the whole family (every
        token descended from the same login) is revoked, so the thief's and the victim's
        sessions both end and the victim logs in again. Raises RefreshTokenReusedError,
        RefreshTokenInvalidError (unknown or revoked), RefreshTokenExpiredError,
        AccountDeactivatedError.
        """
        # Own transaction: a detected reuse must revoke the family even though the request
        # then fails, and the request session would roll that back.
        error: ProblemError | None = None
        issued: IssuedTokens | None = None
        async with database.transaction() as session:
            tokens = RefreshTokenRepository(session)
            stored = await tokens.get_by_hash(hash_token(refresh_token), for_update=True)
            if stored is None:
                error = RefreshTokenInvalidError("This refresh token is not valid; log in again.")
            elif stored.used_at is not None:
                await tokens.revoke_family(stored.family_id, now=now)
                log.warning("refresh token reused; family revoked", family_id=str(stored.family_id))
                error = RefreshTokenReusedError(
                    "This refresh token was already used, so it may have been copied; all "
                    "sessions of this login are ended for safety. Log in again."
                )
            elif stored.revoked_at is not None:
                error = RefreshTokenInvalidError(
                    "This refresh token was revoked (logout or reuse); log in again."
                )
            elif now >= stored.expires_at:
                error = RefreshTokenExpiredError("This refresh token has expired; log in again.")
            else:
                user = await UserRepository(session).get(stored.user_id)
                stored.used_at = now
                if user is None:
                    error = RefreshTokenInvalidError("The account no longer exists.")
                elif not user.active:
                    # Deactivation revokes the tokens too; this guards a token issued in a
                    # transaction that raced with it.
                    error = AccountDeactivatedError(
                        "This account is deactivated: an owner or admin of your workshop can "
                        "reactivate it."
                    )
                else:
                    issued = self.issue(session, user, now=now, family_id=stored.family_id)
        if error is not None:
            raise error
        assert issued is not None
        return issued

    async def revoke(self, session: AsyncSession, refresh_token: str, *, now: datetime) -> None:
        """End the login the token belongs to (its whole family). Unknown tokens are ignored,
        as RFC 7009 does, so logging out twice is harmless."""
        tokens = RefreshTokenRepository(session)
        stored = await tokens.get_by_hash(hash_token(refresh_token))
        if stored is not None:
            await tokens.revoke_family(stored.family_id, now=now)
