"""Live links to connected agents: who is online, request/answer matching, job results.

Single process only: the registry lives in this process's memory, so an agent is "online" only
for the process holding its WebSocket. Scaling out needs routing by agent id (sticky
connections at the gateway, or a shared bus that forwards frames to the owning process).
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aos.agent.v1 import agent_pb2

__all__ = ["AgentConnection", "AgentDisconnectedError", "AgentRegistry", "SessionEvents"]

SendBytes = Callable[[bytes], Awaitable[None]]
Disconnect = Callable[[int, str], Awaitable[None]]


class AgentDisconnectedError(ConnectionError):
    """The agent's connection closed before it answered."""


class AgentConnection:
    """One open WebSocket of one agent."""

    def __init__(
        self,
        agent_id: uuid.UUID,
        organization_id: uuid.UUID,
        send: SendBytes,
        *,
        disconnect: Disconnect | None = None,
    ) -> None:
        self.agent_id = agent_id
        self.organization_id = organization_id
        self._send = send
        self._disconnect = disconnect
        self._seq = itertools.count(1)
        self._lock = asyncio.Lock()
        self._pending: dict[int, asyncio.Future[agent_pb2.AgentFrame]] = {}
        self.closed = False

    async def send(self, frame: agent_pb2.AgentFrame) -> int:
        """Send ``frame`` with the next sequence number; returns that number."""
        if self.closed:
            raise AgentDisconnectedError(f"agent {self.agent_id} is not connected")
        async with self._lock:  # one writer at a time on the socket
            frame.seq = next(self._seq)
            await self._send(frame.SerializeToString())
        return frame.seq

    async def request(
        self, frame: agent_pb2.AgentFrame, *, timeout_seconds: float
    ) -> agent_pb2.AgentFrame:
        """Send ``frame`` and wait for the frame whose reply_to is its seq.

        Raises TimeoutError after ``timeout_seconds`` and AgentDisconnectedError when the link
        closes first.
        """
        future: asyncio.Future[agent_pb2.AgentFrame] = asyncio.get_running_loop().create_future()
        async with self._lock:
            if self.closed:
                raise AgentDisconnectedError(f"agent {self.agent_id} is not connected")
            frame.seq = next(self._seq)
            self._pending[frame.seq] = future
            await self._send(frame.SerializeToString())
        try:
            return await asyncio.wait_for(future, timeout_seconds)
        finally:
            self._pending.pop(frame.seq, None)

    def resolve(self, frame: agent_pb2.AgentFrame) -> bool:
        """Hand an answer to its waiting request; False when nobody waits for it."""
        future = self._pending.get(frame.reply_to) if frame.reply_to else None
        if future is None or future.done():
            return False
        future.set_result(frame)
        return True

    async def disconnect(self, code: int, reason: str) -> None:
        """Close the WebSocket (e.g. 4403 when the agent is revoked)."""
        self.close()
        if self._disconnect is not None:
            await self._disconnect(code, reason)

    def close(self) -> None:
        self.closed = True
        for future in self._pending.values():
            if not future.done():
                future.set_exception(AgentDisconnectedError(f"agent {self.agent_id} went away"))
        self._pending.clear()


class AgentRegistry:
    """Connected agents by id, and futures of job results awaited by session runners.

    Job results are kept apart from connections: a result may arrive on a later connection
    after the agent reconnected.
    """

    def __init__(self) -> None:
        self._connections: dict[uuid.UUID, AgentConnection] = {}
        self._results: dict[uuid.UUID, asyncio.Future[agent_pb2.JobResult]] = {}

    def register(self, connection: AgentConnection) -> None:
        """Make ``connection`` the agent's link; an older one of the same agent is closed."""
        previous = self._connections.get(connection.agent_id)
        if previous is not None and previous is not connection:
            previous.close()
        self._connections[connection.agent_id] = connection

    def unregister(self, connection: AgentConnection) -> None:
        connection.close()
        if self._connections.get(connection.agent_id) is connection:
            del self._connections[connection.agent_id]

    def get(self, agent_id: uuid.UUID) -> AgentConnection | None:
        return self._connections.get(agent_id)

    def is_online(self, agent_id: uuid.UUID) -> bool:
        return agent_id in self._connections

    def expect_result(self, job_id: uuid.UUID) -> asyncio.Future[agent_pb2.JobResult]:
        future = self._results.get(job_id)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._results[job_id] = future
        return future

    def forget_result(self, job_id: uuid.UUID) -> None:
        self._results.pop(job_id, None)

    def deliver_result(self, job_id: uuid.UUID, result: agent_pb2.JobResult) -> None:
        future = self._results.get(job_id)
        if future is not None and not future.done():
            future.set_result(result)

    def close_all(self) -> None:
        for connection in list(self._connections.values()):
            connection.close()
        self._connections.clear()


class SessionEvents:
    """In-process fan-out of live session events to SSE listeners."""

    def __init__(self) -> None:
        self._listeners: dict[uuid.UUID, set[asyncio.Queue[dict[str, Any]]]] = {}

    def subscribe(self, session_id: uuid.UUID) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)
        self._listeners.setdefault(session_id, set()).add(queue)
        return queue

    def unsubscribe(self, session_id: uuid.UUID, queue: asyncio.Queue[dict[str, Any]]) -> None:
        listeners = self._listeners.get(session_id)
        if listeners is not None:
            listeners.discard(queue)
            if not listeners:
                del self._listeners[session_id]

    def publish(self, session_id: uuid.UUID, event: dict[str, Any]) -> None:
        for queue in self._listeners.get(session_id, ()):
            if not queue.full():  # a stalled listener loses progress ticks, not the stream
                queue.put_nowait(event)
