"""Repository of login failures per account and client."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.models import LoginThrottle

__all__ = ["LoginThrottleRepository"]


class LoginThrottleRepository:
    """Callers hold the user's row lock (``get_by_email(for_update=True)``), which serialises
    every change to that user's throttles."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID, client: str) -> LoginThrottle | None:
        statement = select(LoginThrottle).where(
            LoginThrottle.user_id == user_id, LoginThrottle.client == client
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    def add(self, throttle: LoginThrottle) -> LoginThrottle:
        self.session.add(throttle)
        return throttle

    async def clear(self, user_id: uuid.UUID, client: str) -> None:
        await self.session.execute(
            delete(LoginThrottle).where(
                LoginThrottle.user_id == user_id, LoginThrottle.client == client
            )
        )

    async def clear_user(self, user_id: uuid.UUID) -> None:
        """Forget every client's failures for this user (the demo seed's reset)."""
        await self.session.execute(delete(LoginThrottle).where(LoginThrottle.user_id == user_id))
