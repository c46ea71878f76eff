"""Access tokens (Ed25519 JWT) and refresh tokens (opaque, rotated, reuse-detecting)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from identity.config import Settings
from identity.db.accounts import UserRepository
from identity.db.credentials import RefreshTokenRepository
from identity.db.login_sessions import LoginSessionRepository
from identity.db.models import LoginSession, User
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

__all__ = ["IssuedTokens", "LoginOrigin", "TokenService"]

log = get_logger(__name__)


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str = field(repr=False)
    # Lifetimes in seconds from now.
    expires_in: int
    refresh_token: str = field(repr=False)
    refresh_expires_in: int
    # The login (refresh-token family) the tokens belong to.
    session_id: uuid.UUID


@dataclass(frozen=True)
class LoginOrigin:
    """Where a login comes from, as shown in the user's list of logins."""

    ip: str
    device: str
    browser: str


class TokenService:
    """Issues and rotates the tokens of logged-in users."""

    def __init__(self, key_ring: KeyRing, *, settings: Settings) -> None:
        self.key_ring = key_ring
        self.settings = settings

    def access_token(self, user: User, *, now: datetime, session_id: uuid.UUID) -> str:
        # Milliseconds, not whole seconds (a JWT NumericDate may have a fraction): services
        # refuse tokens issued at or before a member's access changed, and a token refreshed a
        # moment after a role change in the same second must not be refused with the old ones.
        issued_at = round(now.timestamp(), 3)
        expires_at = int(issued_at) + self.settings.access_token_ttl_seconds
        claims = {
            "sub": str(user.id),
            # The login this token belongs to: "my logins" marks it as the current one.
            "sid": str(session_id),
            "org": str(user.organization_id),
            "roles": [user.role],
            "iss": self.settings.jwt_issuer,
            "aud": self.settings.jwt_audience,
            "iat": issued_at,
            "exp": expires_at,
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
        origin: LoginOrigin | None = None,
    ) -> IssuedTokens:
        """A new access token and a refresh token stored in ``session``: a new login (family)
        from ``origin`` unless ``family_id`` continues one."""
        refresh_token = new_token()
        ttl = self.settings.refresh_token_ttl_seconds
        if family_id is None:
            family_id = uuid.uuid4()
            origin = origin or LoginOrigin(
                ip="unknown", device="Unknown device", browser="Unknown browser"
            )
            LoginSessionRepository(session).add(
                LoginSession(
                    id=family_id,
                    user_id=user.id,
                    device=origin.device,
                    browser=origin.browser,
                    ip=origin.ip,
                    created_at=now,
                    last_used_at=now,
                )
            )
        RefreshTokenRepository(session).add(
            user_id=user.id,
            family_id=family_id,
            token_hash=hash_token(refresh_token),
            expires_at=now + timedelta(seconds=ttl),
        )
        return IssuedTokens(
            access_token=self.access_token(user, now=now, session_id=family_id),
            expires_in=self.settings.access_token_ttl_seconds,
            refresh_token=refresh_token,
            refresh_expires_in=ttl,
            session_id=family_id,
        )

    async def refresh(
        self, database: Database, refresh_token: str, *, now: datetime, ip: str | None = None
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
                await self.end_login(session, stored.family_id, now=now)
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
                    await LoginSessionRepository(session).touch(stored.family_id, ip=ip, now=now)
        if error is not None:
            raise error
        assert issued is not None
        return issued

    async def revoke(self, session: AsyncSession, refresh_token: str, *, now: datetime) -> None:
        """End the login the token belongs to (its whole family). Unknown tokens are ignored,
        as RFC 7009 does, so logging out twice is harmless."""
        stored = await RefreshTokenRepository(session).get_by_hash(hash_token(refresh_token))
        if stored is not None:
            await self.end_login(session, stored.family_id, now=now)

    @staticmethod
    async def end_login(session: AsyncSession, family_id: uuid.UUID, *, now: datetime) -> None:
        """Revoke the refresh tokens of one login and mark it ended."""
        await RefreshTokenRepository(session).revoke_family(family_id, now=now)
        await LoginSessionRepository(session).end(family_id, now=now)

    @staticmethod
    async def end_logins(
        session: AsyncSession,
        user_id: uuid.UUID,
        *,
        now: datetime,
        keep: uuid.UUID | None = None,
    ) -> int:
        """End every login of the user except ``keep``; returns how many were open."""
        await RefreshTokenRepository(session).revoke_user(user_id, now=now, except_family=keep)
        return await LoginSessionRepository(session).end_all(user_id, now=now, except_login=keep)
