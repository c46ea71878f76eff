"""Counts for programming's gauges (programming/metrics.py): one grouped query each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from programming.db.models import Agent, ProgrammingSession


async def sessions_by_state(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(ProgrammingSession.state, func.count()).group_by(ProgrammingSession.state)
    )
    return {state: int(count) for state, count in rows.all()}


async def agents_seen_since(session: AsyncSession, since: datetime) -> int:
    """Paired (not revoked) agents heard from at or after ``since``."""
    query = select(func.count()).where(Agent.revoked_at.is_(None), Agent.last_seen_at >= since)
    return int((await session.execute(query)).scalar_one())
