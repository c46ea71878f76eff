"""When each agent was last heard from, written to the database in batches.

An idle agent sends a heartbeat every interval (5 s). Writing its ``last_seen_at`` at each one
was one transaction per heartbeat: 2,000 a second for 10,000 agents, most of the database work
an idle replica caused. :class:`PresenceWriter` instead remembers the newest time per agent in
memory and writes them in a few statements every ``flush_seconds``, so an online agent's
"last seen" in the agents list lags by at most that period (plus a heartbeat interval). The
connect and the disconnect are still written at once by the WebSocket handler, so an offline
agent's "last seen" is exact; the batch never moves a time backwards, so a late flush cannot
undo them. What is pending is written at shutdown too.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType

from programming.db.agents import AgentRepository
from servicekit.db import Database
from servicekit.logging import get_logger

__all__ = ["PresenceWriter"]

log = get_logger(__name__)

# Rows per statement (and transaction): a connect or disconnect writing its agent's row waits
# for at most one batch's row locks, not for all 10,000 of a replica.
BATCH_SIZE = 1000


class PresenceWriter:
    """Batches agents' last-seen times; see the module docstring.

    ``seen`` is cheap (a dict store) and may be called at every heartbeat; ``run`` flushes
    every ``flush_seconds`` until cancelled; ``close`` stops it and writes what is pending.
    """

    def __init__(
        self, database: Database, *, flush_seconds: float, batch_size: int = BATCH_SIZE
    ) -> None:
        self._database = database
        self._flush_seconds = flush_seconds
        self._batch_size = batch_size
        self._pending: dict[uuid.UUID, datetime] = {}
        self._task: asyncio.Task[None] | None = None

    @property
    def pending(self) -> Mapping[uuid.UUID, datetime]:
        """The times not written yet, by agent (a read-only view)."""
        return MappingProxyType(self._pending)

    def seen(self, agent_id: uuid.UUID, at: datetime) -> None:
        """Remember that ``agent_id`` was heard from at ``at`` (aware)."""
        known = self._pending.get(agent_id)
        if known is None or known < at:
            self._pending[agent_id] = at

    async def flush(self) -> int:
        """Write every pending time, ``batch_size`` rows per statement, in the order of the
        agents' ids (two replicas flushing the same agents, one of them just reconnected,
        lock rows in the same order and never deadlock); returns how many rows changed.

        On a database error the times not written are kept for the next flush (newer ones
        win) and the error is raised."""
        if not self._pending:
            return 0
        pending, self._pending = self._pending, {}
        ordered = sorted(pending.items())
        updated = 0
        for start in range(0, len(ordered), self._batch_size):
            batch = dict(ordered[start : start + self._batch_size])
            try:
                async with self._database.transaction() as session:
                    updated += await AgentRepository(session).mark_seen_many(batch)
            except BaseException:
                for agent_id, at in ordered[start:]:
                    self.seen(agent_id, at)
                raise
        return updated

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="agent-presence")

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._flush_seconds)
            try:
                await self.flush()
            except Exception as exc:  # the database is away: keep the times, try again later
                log.warning(
                    "agent presence not written; retrying",
                    pending=len(self._pending),
                    error=type(exc).__name__,
                )

    async def close(self) -> None:
        """Stop the periodic flush and write what is pending (best effort at shutdown)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait({self._task})
            self._task = None
        try:
            await self.flush()
        except Exception as exc:
            log.warning(
                "agent presence not written at shutdown",
                pending=len(self._pending),
                error=type(exc).__name__,
            )
