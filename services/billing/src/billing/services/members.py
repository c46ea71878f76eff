"""The members projection: who a user id is, so the usage report can name members."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.usage import MemberRepository

__all__ = ["erase_member", "record_member"]


async def record_member(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    organization_id: uuid.UUID,
    email: str,
    name: str,
    at: datetime,
) -> None:
    """Remember a member's e-mail and name as of ``at`` (older news changes nothing)."""
    await MemberRepository(session).upsert(
        user_id=user_id,
        organization_id=organization_id,
        email=email,
        name=name,
        source_updated_at=at,
    )


async def erase_member(
    session: AsyncSession, *, user_id: uuid.UUID, organization_id: uuid.UUID, at: datetime
) -> None:
    """Forget the personal data of a member identity removed; the id stays."""
    await MemberRepository(session).erase(user_id, organization_id=organization_id, at=at)
