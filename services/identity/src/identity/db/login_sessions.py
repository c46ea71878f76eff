"""Repository of logins (one row per refresh-token family)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.models import LoginSession

__all__ = ["LoginSessionRepository"]


class LoginSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, login: LoginSession) -> LoginSession:
        self.session.add(login)
        return login

    async def get(self, login_id: uuid.UUID, *, user_id: uuid.UUID) -> LoginSession | None:
        """The login, only if it belongs to ``user_id`` (another user's id finds nothing)."""
        statement = select(LoginSession).where(
            LoginSession.id == login_id, LoginSession.user_id == user_id
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def list_open(
        self, user_id: uuid.UUID, *, used_since: datetime
    ) -> Sequence[LoginSession]:
        """The user's logins not ended and used at or after ``used_since`` (older ones have
        only expired refresh tokens), most recently used first."""
        statement = (
            select(LoginSession)
            .where(
                LoginSession.user_id == user_id,
                LoginSession.ended_at.is_(None),
                LoginSession.last_used_at >= used_since,
            )
            .order_by(LoginSession.last_used_at.desc(), LoginSession.id)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def touch(self, login_id: uuid.UUID, *, ip: str | None, now: datetime) -> None:
        """Record a use of the login (a refresh), from ``ip`` when known."""
        values: dict[str, object] = {"last_used_at": now}
        if ip is not None:
            values["ip"] = ip
        await self.session.execute(
            update(LoginSession).where(LoginSession.id == login_id).values(**values)
        )

    async def end(self, login_id: uuid.UUID, *, now: datetime) -> None:
        await self.session.execute(
            update(LoginSession)
            .where(LoginSession.id == login_id, LoginSession.ended_at.is_(None))
            .values(ended_at=now)
        )

    async def end_all(
        self, user_id: uuid.UUID, *, now: datetime, except_login: uuid.UUID | None = None
    ) -> int:
        """End every open login of the user but ``except_login``; returns how many ended."""
        statement = update(LoginSession).where(
            LoginSession.user_id == user_id, LoginSession.ended_at.is_(None)
        )
        if except_login is not None:
            statement = statement.where(LoginSession.id != except_login)
        result = await self.session.execute(
            statement.values(ended_at=now).returning(LoginSession.id)
        )
        return len(result.all())
