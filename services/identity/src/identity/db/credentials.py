"""Repositories of hashed credentials: one-time user tokens, recovery codes, refresh tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.models import RecoveryCode, RefreshToken, UserToken

__all__ = ["RecoveryCodeRepository", "RefreshTokenRepository", "UserTokenRepository"]


class UserTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(
        self,
        *,
        user_id: uuid.UUID,
        purpose: str,
        token_hash: str,
        expires_at: datetime,
        new_email: str | None = None,
    ) -> UserToken:
        token = UserToken(
            id=uuid.uuid4(),
            user_id=user_id,
            purpose=purpose,
            token_hash=token_hash,
            expires_at=expires_at,
            new_email=new_email,
        )
        self.session.add(token)
        return token

    async def get_by_hash(
        self, token_hash: str, *, purpose: str, for_update: bool = False
    ) -> UserToken | None:
        """The token with this hash, only if it was issued for ``purpose``."""
        statement = select(UserToken).where(
            UserToken.token_hash == token_hash, UserToken.purpose == purpose
        )
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def get_by_hash_for(
        self, token_hash: str, *, purposes: tuple[str, ...], for_update: bool = False
    ) -> UserToken | None:
        """The token with this hash, only if it was issued for one of ``purposes``."""
        statement = select(UserToken).where(
            UserToken.token_hash == token_hash, UserToken.purpose.in_(purposes)
        )
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def latest_created_at(self, user_id: uuid.UUID, *, purpose: str) -> datetime | None:
        found = await self.session.execute(
            select(func.max(UserToken.created_at)).where(
                UserToken.user_id == user_id, UserToken.purpose == purpose
            )
        )
        return found.scalar_one_or_none()

    async def use_all(self, user_id: uuid.UUID, *, purpose: str, now: datetime) -> None:
        """Mark every unused token of the user for ``purpose`` as used."""
        await self.session.execute(
            update(UserToken)
            .where(
                UserToken.user_id == user_id,
                UserToken.purpose == purpose,
                UserToken.used_at.is_(None),
            )
            .values(used_at=now)
        )


class RecoveryCodeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def replace_all(self, user_id: uuid.UUID, code_hashes: list[str]) -> None:
        """Drop the user's codes and store these (a new set invalidates the old one)."""
        await self.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        self.session.add_all(
            RecoveryCode(id=uuid.uuid4(), user_id=user_id, code_hash=code_hash)
            for code_hash in code_hashes
        )

    async def use(self, user_id: uuid.UUID, code_hash: str, *, now: datetime) -> bool:
        """Consume an unused code of the user; False if there is none with this hash."""
        result = await self.session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user_id,
                RecoveryCode.code_hash == code_hash,
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .returning(RecoveryCode.id)
        )
        return result.first() is not None

    async def count_unused(self, user_id: uuid.UUID) -> int:
        found = await self.session.execute(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        )
        return int(found.scalar_one())


class RefreshTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(
        self,
        *,
        user_id: uuid.UUID,
        family_id: uuid.UUID,
        token_hash: str,
        expires_at: datetime,
    ) -> RefreshToken:
        token = RefreshToken(
            id=uuid.uuid4(),
            user_id=user_id,
            family_id=family_id,
            token_hash=token_hash,
            expires_at=expires_at,
        )
        self.session.add(token)
        return token

    async def get_by_hash(
        self, token_hash: str, *, for_update: bool = False
    ) -> RefreshToken | None:
        statement = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
        if for_update:
            # Two requests presenting the same token are serialised: the second one sees the
            # first one's `used_at` and is treated as a replay.
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def revoke_family(self, family_id: uuid.UUID, *, now: datetime) -> None:
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_user(
        self, user_id: uuid.UUID, *, now: datetime, except_family: uuid.UUID | None = None
    ) -> None:
        """Revoke every refresh token of the user, but those of ``except_family``."""
        statement = update(RefreshToken).where(
            RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None)
        )
        if except_family is not None:
            statement = statement.where(RefreshToken.family_id != except_family)
        await self.session.execute(statement.values(revoked_at=now))
