"""SQL for agents and pairing codes."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from programming.db.models import Agent, PairingCode

__all__ = ["AgentRepository"]


class AgentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_pairing_code(
        self,
        code_hash: bytes,
        *,
        organization_id: uuid.UUID,
        created_by: uuid.UUID,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        self.session.add(
            PairingCode(
                code_hash=code_hash,
                organization_id=organization_id,
                created_by=created_by,
                created_at=created_at,
                expires_at=expires_at,
            )
        )
        await self.session.flush()

    async def claim_pairing_code(self, code_hash: bytes, *, now: datetime) -> PairingCode | None:
        """Mark an unused, unexpired code used and return it; None if there is no such code.

        One UPDATE, so two agents racing for one code cannot both win.
        """
        statement = (
            update(PairingCode)
            .where(
                PairingCode.code_hash == code_hash,
                PairingCode.used_at.is_(None),
                PairingCode.expires_at > now,
            )
            .values(used_at=now)
            .returning(PairingCode)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def add(self, agent: Agent) -> None:
        self.session.add(agent)
        await self.session.flush()

    async def get(self, agent_id: uuid.UUID, *, organization_id: uuid.UUID) -> Agent | None:
        statement = select(Agent).where(
            Agent.id == agent_id, Agent.organization_id == organization_id
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def by_credential(self, credential_hash: bytes) -> Agent | None:
        statement = select(Agent).where(Agent.credential_hash == credential_hash)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def list(self, organization_id: uuid.UUID) -> Sequence[Agent]:
        statement = (
            select(Agent)
            .where(Agent.organization_id == organization_id)
            .order_by(Agent.created_at, Agent.id)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def mark_seen(
        self,
        agent_id: uuid.UUID,
        *,
        at: datetime,
        agent_version: str | None = None,
        hostname: str | None = None,
    ) -> None:
        values: dict[str, object] = {"last_seen_at": at}
        if agent_version is not None:
            values["agent_version"] = agent_version
        if hostname is not None:
            values["hostname"] = hostname
        await self.session.execute(update(Agent).where(Agent.id == agent_id).values(**values))

    async def mark_seen_many(self, seen: Mapping[uuid.UUID, datetime]) -> int:
        """Set each agent's ``last_seen_at`` to its time in ``seen``, in one statement, unless
        the stored time is newer already; returns how many rows changed."""
        if not seen:
            return 0
        statement = text(
            "UPDATE agents AS a SET last_seen_at = s.at "
            "FROM unnest(CAST(:ids AS uuid[]), CAST(:ats AS timestamptz[])) AS s(id, at) "
            "WHERE a.id = s.id AND (a.last_seen_at IS NULL OR a.last_seen_at < s.at)"
        )
        result = await self.session.execute(
            statement, {"ids": list(seen.keys()), "ats": list(seen.values())}
        )
        return int(getattr(result, "rowcount", 0) or 0)
