"""Counts for programming's gauges (programming/metrics.py): one grouped query each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from programming.db.models import Agent, ProgrammingSession


async def open_sessions_by_state(session: AsyncSession, states: Sequence[str]) -> dict[str, int]:
    """How many sessions are in each of ``states`` (the open ones: the partial index
    ix_sessions_open_state holds exactly those rows, so this reads the index, not the table)."""
    rows = await session.execute(
        select(ProgrammingSession.state, func.count())
        .where(ProgrammingSession.state.in_(states))
        .group_by(ProgrammingSession.state)
    )
    return {state: int(count) for state, count in rows.all()}


async def agents_seen_since(session: AsyncSession, since: datetime) -> int:
    """Paired (not revoked) agents heard from at or after ``since``."""
    query = select(func.count()).where(Agent.revoked_at.is_(None), Agent.last_seen_at >= since)
    return int((await session.execute(query)).scalar_one())
