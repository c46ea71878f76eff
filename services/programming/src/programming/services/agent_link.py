"""Live links to the agents connected to this replica: request/answer matching, job results.

The registry knows this process's WebSockets only; an agent held by another replica is reached
through services/cluster.py (its lease, and a RemoteAgentLink that implements AgentLink).
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from aos.agent.v1 import agent_pb2

__all__ = [
    "AgentConnection",
    "AgentDisconnectedError",
    "AgentLink",
    "AgentRegistry",
    "SessionEvents",
]

SendBytes = Callable[[bytes], Awaitable[None]]
Disconnect = Callable[[int, str], Awaitable[None]]


class AgentDisconnectedError(ConnectionError):
    """The agent's connection closed before it answered."""


class AgentLink(Protocol):
    """The one way the service talks to an agent: reading the vehicle, starting a job, closing
    a revoked agent. Timeouts raise TimeoutError, a link that is gone AgentDisconnectedError."""

    @property
    def agent_id(self) -> uuid.UUID: ...

    @property
    def connection_id(self) -> uuid.UUID:
        """The agent's connection the link reaches (the one its lease names)."""
        ...

    async def send(self, frame: agent_pb2.AgentFrame) -> int: ...

    async def request(
        self, frame: agent_pb2.AgentFrame, *, timeout_seconds: float
    ) -> agent_pb2.AgentFrame: ...

    async def disconnect(self, code: int, reason: str) -> None: ...


class AgentConnection:
    """One open WebSocket of one agent (the local AgentLink)."""

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
        # Names this connection in the agent's lease (services/cluster.py).
        self.connection_id = uuid.uuid4()
        self._send = send
        self._disconnect = disconnect
        self._seq = itertools.count(1)
        self._lock = asyncio.Lock()
        self._pending: dict[int, asyncio.Future[agent_pb2.AgentFrame]] = {}
        self.closed = False
        # When the agent last sent a frame on this connection (see AgentRegistry.claim_job).
        self.last_frame_at: datetime | None = None

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
            async with asyncio.timeout(timeout_seconds):
                return await future
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
    """Connected agents by id, the connection each running job was sent on, and futures of job
    results awaited by session runners.

    Job results are kept apart from connections: a result may arrive on a later connection
    after the agent reconnected. The newest connection of an agent gets new work; an older one
    that still carries a running job stays open beside it, so that a second connection with
    the same credential can neither take the job over nor cut it off (see ``claim_job``).
    """

    def __init__(self) -> None:
        self._connections: dict[uuid.UUID, list[AgentConnection]] = {}
        self._job_links: dict[uuid.UUID, AgentConnection] = {}
        self._results: dict[uuid.UUID, asyncio.Future[agent_pb2.JobResult]] = {}

    def register(self, connection: AgentConnection) -> None:
        """Make ``connection`` the agent's link for new work; older ones of the same agent are
        closed unless a running job was sent on them."""
        running_on = {id(link) for link in self._job_links.values()}
        kept = []
        for previous in self._connections.get(connection.agent_id, []):
            if previous is connection:
                continue
            if id(previous) in running_on and not previous.closed:
                kept.append(previous)
            else:
                previous.close()
        self._connections[connection.agent_id] = [*kept, connection]

    def unregister(self, connection: AgentConnection) -> None:
        connection.close()
        links = self._connections.get(connection.agent_id, [])
        remaining = [link for link in links if link is not connection]
        if remaining:
            self._connections[connection.agent_id] = remaining
        else:
            self._connections.pop(connection.agent_id, None)
        for job_id in [job for job, link in self._job_links.items() if link is connection]:
            del self._job_links[job_id]

    def get(self, agent_id: uuid.UUID) -> AgentConnection | None:
        """The agent's newest open connection."""
        links = self._connections.get(agent_id)
        return links[-1] if links else None

    def connection(self, agent_id: uuid.UUID, connection_id: uuid.UUID) -> AgentConnection | None:
        """The agent's open connection ``connection_id`` if this replica holds it."""
        for link in self._connections.get(agent_id, ()):
            if link.connection_id == connection_id and not link.closed:
                return link
        return None

    def is_online(self, agent_id: uuid.UUID) -> bool:
        return agent_id in self._connections

    def newest_connections(self) -> list[AgentConnection]:
        """Each connected agent's newest connection."""
        return [links[-1] for links in self._connections.values() if links]

    def bind_job(self, job_id: uuid.UUID, connection: AgentConnection) -> None:
        """``connection`` runs the job (its StartJob goes out on it)."""
        self._job_links[job_id] = connection

    def release_job(self, job_id: uuid.UUID) -> None:
        self._job_links.pop(job_id, None)

    def claim_job(
        self,
        job_id: uuid.UUID,
        connection: AgentConnection,
        *,
        now: datetime,
        silent_after: timedelta,
    ) -> bool:
        """True when ``connection`` runs the job. A job whose connection is gone (the agent
        reconnected, or the service restarted mid-job) moves to the agent's newest connection,
        and only to it; while the job's own connection is open and not silent for
        ``silent_after`` (a live agent sends heartbeats), no other one gets it. The silence
        rule lets an agent that reconnected after a network change get its keys before its
        old, half-open connection times out."""
        current = self._job_links.get(job_id)
        if current is connection:
            return True
        if current is not None and not current.closed:
            heard = current.last_frame_at
            if heard is None or now - heard < silent_after:
                return False
        if self.get(connection.agent_id) is not connection:
            return False
        self._job_links[job_id] = connection
        return True

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
        for links in self._connections.values():
            for connection in links:
                connection.close()
        self._connections.clear()
        self._job_links.clear()


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
