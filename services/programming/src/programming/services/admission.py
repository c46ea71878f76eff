"""Admission of agent connections: a bounded number of them touch the database at once.

When a replica dies, every agent it held reconnects to the others within a second or two; with
10,000 agents that is 10,000 handshakes, each of which authenticates, writes the agent's lease
and its last-seen time. Unbounded, they take every connection of the pool and keep it taken
for longer than the pool's timeout: session runners and requests then fail with pool timeouts.
:class:`Admission` lets ``concurrency`` of them (fewer than the pool's connections) do that
work at once; a connection that waits longer than ``wait_seconds`` for its turn is refused
(close 1013, try again later) and the agent comes back after its jittered backoff, so the
storm spreads out instead of piling up.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from prometheus_client import Counter

__all__ = ["AGENTS_REFUSED", "Admission", "OverloadedError"]

# Counted where the connection is closed (api/agent_ws.py): for want of a turn, or of the
# database within one.
AGENTS_REFUSED = Counter(
    "aos_programming_agent_connections_refused_total",
    "Agent connections closed with 1013 (try again later): the replica was busy or could not "
    "reach its database",
)


class OverloadedError(Exception):
    """No turn came within the wait: the agent is to connect again later."""


class Admission:
    def __init__(self, *, concurrency: int, wait_seconds: float) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._wait_seconds = wait_seconds

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        """A turn within ``wait_seconds``; raises OverloadedError otherwise."""
        try:
            async with asyncio.timeout(self._wait_seconds):
                await self._slots.acquire()
        except TimeoutError:
            raise OverloadedError from None
        try:
            yield
        finally:
            self._slots.release()

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """A turn, however long it takes: for work that cannot be refused (a disconnect's
        bookkeeping)."""
        async with self._slots:
            yield
