"""SQL for replicas, agent leases and the messages too large for one NOTIFY.

Liveness is measured by the database's clock (``now()``) only, so replicas on machines whose
clocks disagree still agree on who is alive.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from programming.db.models import AgentLease, Replica, ReplicaMessage

__all__ = ["Lease", "ReplicaRepository"]

# Broadcast messages kept in the table are read by every replica within a moment; older ones
# are swept.
MESSAGE_RETENTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Lease:
    replica_id: uuid.UUID
    connection_id: uuid.UUID


class ReplicaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def beat(self, replica_id: uuid.UUID, *, name: str, started_at: datetime) -> bool:
        """Write the replica's heartbeat; True when its row had to be created (first beat, or
        it was swept as dead meanwhile and its leases went with it)."""
        updated = await self.session.execute(
            update(Replica).where(Replica.id == replica_id).values(heartbeat_at=func.now())
        )
        if getattr(updated, "rowcount", 0):
            return False
        await self.session.execute(
            pg_insert(Replica)
            .values(id=replica_id, name=name, started_at=started_at, heartbeat_at=func.now())
            .on_conflict_do_update(index_elements=[Replica.id], set_={"heartbeat_at": func.now()})
        )
        return True

    async def sweep(self, *, dead_after: timedelta) -> int:
        """Remove replicas whose heartbeat is older than ``dead_after`` (their leases go with
        them) and old oversized messages; returns how many replicas were removed."""
        removed = await self.session.execute(
            delete(Replica)
            .where(Replica.heartbeat_at < func.now() - dead_after)
            .returning(Replica.id)
        )
        await self.session.execute(
            delete(ReplicaMessage).where(ReplicaMessage.created_at < func.now() - MESSAGE_RETENTION)
        )
        return len(removed.all())

    async def remove(self, replica_id: uuid.UUID) -> None:
        await self.session.execute(delete(Replica).where(Replica.id == replica_id))

    async def hold(
        self, agent_id: uuid.UUID, *, replica_id: uuid.UUID, connection_id: uuid.UUID
    ) -> None:
        """The agent's newest connection is ``connection_id`` on ``replica_id``."""
        values = {
            "agent_id": agent_id,
            "replica_id": replica_id,
            "connection_id": connection_id,
            "connected_at": func.now(),
        }
        statement = pg_insert(AgentLease).values(**values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[AgentLease.agent_id],
                set_={
                    "replica_id": statement.excluded.replica_id,
                    "connection_id": statement.excluded.connection_id,
                    "connected_at": statement.excluded.connected_at,
                },
            )
        )

    async def hold_if_free(
        self, agent_id: uuid.UUID, *, replica_id: uuid.UUID, connection_id: uuid.UUID
    ) -> None:
        """Write the lease unless the agent has one: a replica whose leases were swept while
        it stalled takes back those of its agents that did not reconnect elsewhere meanwhile."""
        await self.session.execute(
            pg_insert(AgentLease)
            .values(
                agent_id=agent_id,
                replica_id=replica_id,
                connection_id=connection_id,
                connected_at=func.now(),
            )
            .on_conflict_do_nothing(index_elements=[AgentLease.agent_id])
        )

    async def release(self, agent_id: uuid.UUID, *, connection_id: uuid.UUID) -> None:
        """Remove the agent's lease if it is still this connection's."""
        await self.session.execute(
            delete(AgentLease).where(
                AgentLease.agent_id == agent_id, AgentLease.connection_id == connection_id
            )
        )

    async def live_leases(
        self, agent_ids: Iterable[uuid.UUID], *, dead_after: timedelta
    ) -> dict[uuid.UUID, Lease]:
        """The leases of these agents whose replica's heartbeat is fresh."""
        ids = list(agent_ids)
        if not ids:
            return {}
        statement = (
            select(AgentLease.agent_id, AgentLease.replica_id, AgentLease.connection_id)
            .join(Replica, Replica.id == AgentLease.replica_id)
            .where(
                AgentLease.agent_id.in_(ids),
                Replica.heartbeat_at >= func.now() - dead_after,
            )
        )
        return {
            row.agent_id: Lease(replica_id=row.replica_id, connection_id=row.connection_id)
            for row in await self.session.execute(statement)
        }

    async def is_alive(self, replica_id: uuid.UUID, *, dead_after: timedelta) -> bool:
        statement = select(func.count()).where(
            Replica.id == replica_id, Replica.heartbeat_at >= func.now() - dead_after
        )
        return bool(await self.session.scalar(statement))

    async def notify(self, channel: str, payload: str) -> None:
        """NOTIFY ``channel``; delivered when this transaction commits, and only then."""
        await self.session.execute(select(func.pg_notify(channel, payload)))

    async def store_message(self, payload: str) -> int:
        statement = insert(ReplicaMessage).values(payload=payload).returning(ReplicaMessage.id)
        return int((await self.session.execute(statement)).scalar_one())

    async def message(self, message_id: int) -> str | None:
        statement = select(ReplicaMessage.payload).where(ReplicaMessage.id == message_id)
        return (await self.session.execute(statement)).scalar_one_or_none()
