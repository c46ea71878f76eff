"""SQL for programming sessions, their flash jobs and trace summaries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from programming.db.models import Agent, FlashJob, ProgrammingSession, TraceSummary
from programming.domain.sessions import SessionState

__all__ = ["SessionRepository"]


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, programming_session: ProgrammingSession, jobs: list[FlashJob]) -> None:
        self.session.add(programming_session)
        await self.session.flush()
        self.session.add_all(jobs)
        await self.session.flush()

    async def get(
        self, session_id: uuid.UUID, *, organization_id: uuid.UUID | None, lock: bool = False
    ) -> ProgrammingSession | None:
        """The session; ``organization_id`` None only for the service's own background work."""
        statement = select(ProgrammingSession).where(ProgrammingSession.id == session_id)
        if organization_id is not None:
            statement = statement.where(ProgrammingSession.organization_id == organization_id)
        if lock:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def count(self, organization_id: uuid.UUID) -> int:
        """How many sessions the organisation has."""
        statement = select(func.count()).where(
            ProgrammingSession.organization_id == organization_id
        )
        return int(await self.session.scalar(statement) or 0)

    async def recent(
        self, organization_id: uuid.UUID, *, limit: int, offset: int = 0
    ) -> list[tuple[ProgrammingSession, int, int]]:
        """The organisation's sessions, newest first, with their job count and summed estimate."""
        statement = (
            select(ProgrammingSession)
            .where(ProgrammingSession.organization_id == organization_id)
            .order_by(ProgrammingSession.created_at.desc(), ProgrammingSession.id)
            .limit(limit)
            .offset(offset)
        )
        found = (await self.session.execute(statement)).scalars().all()
        if not found:
            return []
        totals = select(
            FlashJob.session_id, func.count(), func.sum(FlashJob.estimated_seconds)
        ).where(FlashJob.session_id.in_([item.id for item in found]))
        by_session = {
            row[0]: (int(row[1]), int(row[2] or 0))
            for row in await self.session.execute(totals.group_by(FlashJob.session_id))
        }
        return [(item, *by_session.get(item.id, (0, 0))) for item in found]

    async def running_session_ids(self) -> Sequence[uuid.UUID]:
        statement = select(ProgrammingSession.id).where(
            ProgrammingSession.state == SessionState.RUNNING
        )
        return (await self.session.execute(statement)).scalars().all()

    async def awaiting_closing_read(
        self, agent_id: uuid.UUID, *, ended_since: datetime
    ) -> Sequence[ProgrammingSession]:
        """The agent's sessions that completed since ``ended_since`` without the closing vehicle
        read (the agent was away at their end), locked."""
        statement = (
            select(ProgrammingSession)
            .where(
                ProgrammingSession.agent_id == agent_id,
                ProgrammingSession.state == SessionState.COMPLETED,
                ProgrammingSession.vehicle_after.is_(None),
                ProgrammingSession.ended_at >= ended_since,
            )
            .with_for_update()
        )
        return (await self.session.execute(statement)).scalars().all()

    async def has_awaiting_closing_read(
        self, agent_id: uuid.UUID, *, ended_since: datetime
    ) -> bool:
        """Whether ``awaiting_closing_read`` would find a session (no lock; asked at every
        agent connect, which then reads the vehicle only if so)."""
        statement = select(
            select(ProgrammingSession.id)
            .where(
                ProgrammingSession.agent_id == agent_id,
                ProgrammingSession.state == SessionState.COMPLETED,
                ProgrammingSession.vehicle_after.is_(None),
                ProgrammingSession.ended_at >= ended_since,
            )
            .exists()
        )
        return bool(await self.session.scalar(statement))

    async def agent_is_flashing(self, agent_id: uuid.UUID) -> bool:
        """Whether one of the agent's sessions is running (its vehicle is being flashed)."""
        statement = select(func.count()).where(
            ProgrammingSession.agent_id == agent_id,
            ProgrammingSession.state == SessionState.RUNNING,
        )
        return bool(await self.session.scalar(statement))

    async def jobs(self, session_id: uuid.UUID) -> Sequence[FlashJob]:
        statement = (
            select(FlashJob).where(FlashJob.session_id == session_id).order_by(FlashJob.position)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def job(self, job_id: uuid.UUID, *, lock: bool = False) -> FlashJob | None:
        statement = select(FlashJob).where(FlashJob.id == job_id)
        if lock:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def job_by_download_token(
        self, token_hash: bytes
    ) -> tuple[FlashJob, ProgrammingSession, Agent] | None:
        """The job holding this download token, with its session and the agent running it."""
        statement = (
            select(FlashJob, ProgrammingSession, Agent)
            .join(ProgrammingSession, ProgrammingSession.id == FlashJob.session_id)
            .join(Agent, Agent.id == ProgrammingSession.agent_id)
            .where(FlashJob.download_token_hash == token_hash)
        )
        row = (await self.session.execute(statement)).first()
        return None if row is None else (row[0], row[1], row[2])

    async def update_session(self, session_id: uuid.UUID, **values: Any) -> None:
        await self.session.execute(
            update(ProgrammingSession).where(ProgrammingSession.id == session_id).values(**values)
        )

    async def update_job(self, job_id: uuid.UUID, **values: Any) -> None:
        await self.session.execute(update(FlashJob).where(FlashJob.id == job_id).values(**values))

    async def add_trace_counts(
        self, job_id: uuid.UUID, counts: dict[tuple[int, int], tuple[int, int]]
    ) -> None:
        """Add (count, retried) per (service id, NRC) to the job's summary."""
        for (service_id, nrc), (count, retried) in counts.items():
            statement = insert(TraceSummary).values(
                job_id=job_id, service_id=service_id, nrc=nrc, count=count, retried=retried
            )
            statement = statement.on_conflict_do_update(
                index_elements=[TraceSummary.job_id, TraceSummary.service_id, TraceSummary.nrc],
                set_={
                    "count": TraceSummary.count + statement.excluded.count,
                    "retried": TraceSummary.retried + statement.excluded.retried,
                },
            )
            await self.session.execute(statement)

    async def replace_trace_counts(
        self, job_id: uuid.UUID, counts: dict[tuple[int, int], tuple[int, int]]
    ) -> None:
        """Make (count, retried) per (service id, NRC) the job's whole summary."""
        await self.session.execute(delete(TraceSummary).where(TraceSummary.job_id == job_id))
        if counts:
            await self.session.execute(
                insert(TraceSummary),
                [
                    {
                        "job_id": job_id,
                        "service_id": service_id,
                        "nrc": nrc,
                        "count": count,
                        "retried": retried,
                    }
                    for (service_id, nrc), (count, retried) in counts.items()
                ],
            )

    async def trace_summaries(self, session_id: uuid.UUID) -> Sequence[TraceSummary]:
        statement = (
            select(TraceSummary)
            .join(FlashJob, FlashJob.id == TraceSummary.job_id)
            .where(FlashJob.session_id == session_id)
            .order_by(FlashJob.position, TraceSummary.service_id, TraceSummary.nrc)
        )
        return (await self.session.execute(statement)).scalars().all()
