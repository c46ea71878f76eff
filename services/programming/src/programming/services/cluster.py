"""This replica among the others: its heartbeat, the agents' leases, commands to an agent held
by another replica (RemoteAgentLink), and the broadcasts that keep every replica's live state
(job results, progress, session events) current.

Design (see the README): a replica's id is a uuid made at start; its row in ``replicas`` gets a
heartbeat every ``replica_heartbeat_seconds``; an agent's lease names the replica holding its
WebSocket and is live while that replica's heartbeat is fresh. Commands travel by NOTIFY on the
holding replica's channel; the reply comes back on the caller's.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from aos.agent.v1 import agent_pb2
from programming.db.replicas import Lease, ReplicaRepository
from programming.services.agent_link import AgentConnection, AgentDisconnectedError, AgentLink
from programming.services.replica_bus import (
    BROADCAST_CHANNEL,
    Message,
    ReplicaBus,
    asyncpg_dsn,
    replica_channel,
)
from programming.services.session_locks import SessionLocks
from servicekit.logging import get_logger

if TYPE_CHECKING:
    from programming.services.runtime import Runtime

__all__ = ["Cluster", "RemoteAgentLink"]

log = get_logger(__name__)

# A command's reply may take this much longer than the command's own timeout (two NOTIFY hops).
REPLY_MARGIN_SECONDS = 2.0
# How long a plain send to a remote agent may take before the agent counts as gone.
SEND_TIMEOUT_SECONDS = 10.0


def _encode(frame: agent_pb2.AgentFrame | agent_pb2.JobResult) -> str:
    return base64.b64encode(frame.SerializeToString()).decode()


def _frame(data: str) -> agent_pb2.AgentFrame:
    return agent_pb2.AgentFrame.FromString(base64.b64decode(data))


class RemoteAgentLink:
    """An agent whose WebSocket another replica holds: each command goes to that replica and
    its answer comes back. While waiting, the holding replica's heartbeat is watched, so a
    replica that died answers "agent gone" within about ``replica_dead_after_seconds``."""

    def __init__(
        self,
        cluster: Cluster,
        *,
        agent_id: uuid.UUID,
        replica_id: uuid.UUID,
        connection_id: uuid.UUID,
    ) -> None:
        self._cluster = cluster
        self._agent_id = agent_id
        self.replica_id = replica_id
        self._connection_id = connection_id

    @property
    def agent_id(self) -> uuid.UUID:
        return self._agent_id

    @property
    def connection_id(self) -> uuid.UUID:
        return self._connection_id

    async def send(self, frame: agent_pb2.AgentFrame) -> int:
        await self._call(
            "send", frame=frame, wait_seconds=SEND_TIMEOUT_SECONDS, timeout_is_gone=True
        )
        return 0

    async def request(
        self, frame: agent_pb2.AgentFrame, *, timeout_seconds: float
    ) -> agent_pb2.AgentFrame:
        reply = await self._call("request", frame=frame, wait_seconds=timeout_seconds)
        return _frame(reply["frame"])

    async def disconnect(self, code: int, reason: str) -> None:
        with contextlib.suppress(AgentDisconnectedError, TimeoutError):
            await self._call(
                "disconnect",
                wait_seconds=SEND_TIMEOUT_SECONDS,
                timeout_is_gone=True,
                extra={"code": code, "reason": reason},
            )

    async def _call(
        self,
        op: str,
        *,
        wait_seconds: float,
        frame: agent_pb2.AgentFrame | None = None,
        timeout_is_gone: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> Message:
        cluster = self._cluster
        call = uuid.uuid4().hex
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        cluster.calls[call] = future
        try:
            await cluster.bus.send(
                replica_channel(self.replica_id),
                {
                    "kind": "command",
                    "op": op,
                    "call": call,
                    "agent": str(self._agent_id),
                    # Fencing: only this connection may carry the command; if the agent has
                    # moved on (a newer connection, here or elsewhere) it answers "gone".
                    "connection": str(self._connection_id),
                    "frame": _encode(frame) if frame is not None else None,
                    "timeout": wait_seconds,
                    **(extra or {}),
                },
            )
            reply = await self._await(future, wait_seconds=wait_seconds + REPLY_MARGIN_SECONDS)
        except TimeoutError:
            if timeout_is_gone:
                raise AgentDisconnectedError(f"agent {self._agent_id} did not answer") from None
            raise
        finally:
            cluster.calls.pop(call, None)
        error = reply.get("error")
        if error == "timeout":
            raise TimeoutError
        if error is not None:
            raise AgentDisconnectedError(f"agent {self._agent_id} is not connected ({error})")
        return reply

    async def _await(self, future: asyncio.Future[Message], *, wait_seconds: float) -> Message:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        watch = self._cluster.dead_after.total_seconds() / 2
        while True:
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(left, watch)):
                    return await asyncio.shield(future)
            if not await self._cluster.replica_alive(self.replica_id):
                raise AgentDisconnectedError(f"the replica holding agent {self._agent_id} stopped")


class Cluster:
    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self.replica_id = uuid.uuid4()
        self.name = settings.replica_name
        self.started_at = datetime.now(UTC)
        self.dead_after = timedelta(seconds=settings.replica_dead_after_seconds)
        dsn = asyncpg_dsn(settings.database_url)
        self.bus = ReplicaBus(
            runtime.database, dsn=dsn, replica_id=self.replica_id, handler=self._handle
        )
        self.locks = SessionLocks(dsn=dsn, on_lost=self._fence)
        # Replies awaited by this replica's RemoteAgentLinks, by call id.
        self.calls: dict[str, asyncio.Future[Message]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._heartbeat: asyncio.Task[None] | None = None

    # --- life -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Announce this replica (before any agent can take a lease on it), then listen."""
        await self._beat()
        await self.bus.start()
        await self.locks.start()
        self._heartbeat = asyncio.create_task(self._keep_beating(), name="replica-heartbeat")
        log.info("replica started", replica_id=str(self.replica_id), name=self.name)

    async def stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        for task in list(self._tasks):
            task.cancel()
        await self.locks.close()
        await self.bus.close()
        # Leaving: its leases go with its row, so its agents are offline at once (they
        # reconnect to another replica).
        with contextlib.suppress(Exception):
            async with self.runtime.database.transaction() as session:
                await ReplicaRepository(session).remove(self.replica_id)

    async def _beat(self) -> None:
        async with self.runtime.database.transaction() as session:
            repository = ReplicaRepository(session)
            created = await repository.beat(
                self.replica_id, name=self.name, started_at=self.started_at
            )
            removed = await repository.sweep(dead_after=self.dead_after)
            if created:
                # Swept as dead meanwhile (a long stall): the leases of the agents still
                # connected here are written again, but not over a lease an agent took on
                # another replica meanwhile (its connection here is stale: fenced).
                for connection in self.runtime.registry.newest_connections():
                    await repository.hold_if_free(
                        connection.agent_id,
                        replica_id=self.replica_id,
                        connection_id=connection.connection_id,
                    )
        if removed:
            log.info("dead replicas removed", replicas=removed)

    async def _keep_beating(self) -> None:
        interval = self.runtime.settings.replica_heartbeat_seconds
        while True:
            await asyncio.sleep(interval)
            try:
                await self._beat()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("replica heartbeat not written", error=str(exc))

    def _fence(self) -> None:
        for task in list(self.runtime.runners.values()):
            task.cancel()

    # --- agents ---------------------------------------------------------------------------

    async def hold(self, connection: AgentConnection, *, session: AsyncSession) -> None:
        """The agent's newest connection is here (written in the caller's transaction)."""
        await ReplicaRepository(session).hold(
            connection.agent_id,
            replica_id=self.replica_id,
            connection_id=connection.connection_id,
        )

    async def release(self, connection: AgentConnection, *, session: AsyncSession) -> None:
        """The connection closed: its lease goes, unless a newer connection holds it."""
        await ReplicaRepository(session).release(
            connection.agent_id, connection_id=connection.connection_id
        )

    async def lease(
        self, agent_id: uuid.UUID, *, session: AsyncSession | None = None
    ) -> Lease | None:
        """The agent's live lease: its current connection and the replica holding it (read in
        ``session`` when given, else in a transaction of its own)."""
        if session is None:
            async with self.runtime.database.transaction() as own:
                return await self.lease(agent_id, session=own)
        leases = await ReplicaRepository(session).live_leases(
            [agent_id], dead_after=self.dead_after
        )
        return leases.get(agent_id)

    async def link(
        self, agent_id: uuid.UUID, *, session: AsyncSession | None = None
    ) -> AgentLink | None:
        """The link to the agent's current connection, the one its live lease names: here, or
        on the replica holding it; None when it is offline. An older connection of the agent
        still open here (the agent reconnected, here or to another replica) gets no command."""
        lease = await self.lease(agent_id, session=session)
        if lease is None:
            return None
        if lease.replica_id == self.replica_id:
            return self.runtime.registry.connection(agent_id, lease.connection_id)
        return RemoteAgentLink(
            self, agent_id=agent_id, replica_id=lease.replica_id, connection_id=lease.connection_id
        )

    async def connected_elsewhere(
        self, connection: AgentConnection, *, session: AsyncSession
    ) -> bool:
        """Whether ``connection`` is stale: the agent's live lease names another replica (it
        reconnected there), so what arrives on this connection is no longer the agent's word."""
        lease = await self.lease(connection.agent_id, session=session)
        return lease is not None and lease.replica_id != self.replica_id

    async def is_online(self, agent_id: uuid.UUID, *, session: AsyncSession | None = None) -> bool:
        return await self.link(agent_id, session=session) is not None

    async def online(self, agent_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these agents are connected to some live replica."""
        ids = list(agent_ids)
        local = {agent_id for agent_id in ids if self.runtime.registry.is_online(agent_id)}
        rest = [agent_id for agent_id in ids if agent_id not in local]
        if not rest:
            return local
        async with self.runtime.database.transaction() as session:
            leases = await ReplicaRepository(session).live_leases(rest, dead_after=self.dead_after)
        return local | {
            agent_id for agent_id, lease in leases.items() if lease.replica_id != self.replica_id
        }

    async def replica_alive(self, replica_id: uuid.UUID) -> bool:
        async with self.runtime.database.transaction() as session:
            return await ReplicaRepository(session).is_alive(replica_id, dead_after=self.dead_after)

    # --- broadcasts -----------------------------------------------------------------------

    async def publish_event(
        self,
        session_id: uuid.UUID,
        event: dict[str, Any],
        *,
        session: AsyncSession | None = None,
    ) -> None:
        """A live session event to the SSE listeners of every replica: here at once, to the
        others by NOTIFY (inside ``session``'s transaction when given: sent only if it
        commits)."""
        self.runtime.events.publish(session_id, event)
        await self.bus.send(
            BROADCAST_CHANNEL,
            {"kind": "event", "session": str(session_id), "event": event},
            session=session,
        )

    async def publish_progress(
        self, session_id: uuid.UUID, job_id: uuid.UUID, state: dict[str, Any], *, waiting: bool
    ) -> None:
        await self.bus.send(
            BROADCAST_CHANNEL,
            {
                "kind": "progress",
                "session": str(session_id),
                "job": str(job_id),
                "state": state,
                "waiting": waiting,
            },
        )

    async def publish_result(self, job_id: uuid.UUID, result: agent_pb2.JobResult) -> None:
        """A recorded job result, for the runner of its session wherever it runs."""
        await self.bus.send(
            BROADCAST_CHANNEL, {"kind": "result", "job": str(job_id), "result": _encode(result)}
        )

    # --- what other replicas send ---------------------------------------------------------

    async def _handle(self, message: Message) -> None:
        kind = message.get("kind")
        runtime = self.runtime
        if kind == "reply":
            future = self.calls.get(str(message.get("call")))
            if future is not None and not future.done():
                future.set_result(message)
        elif kind == "command":
            task = asyncio.create_task(self._command(message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif kind == "event":
            runtime.events.publish(uuid.UUID(message["session"]), dict(message["event"]))
        elif kind == "progress":
            runtime.apply_progress(
                uuid.UUID(message["session"]),
                uuid.UUID(message["job"]),
                dict(message["state"]),
                waiting=bool(message["waiting"]),
            )
        elif kind == "result":
            job_id = uuid.UUID(message["job"])
            result = agent_pb2.JobResult.FromString(base64.b64decode(message["result"]))
            runtime.progress.pop(job_id, None)
            runtime.ecu_waits.pop(job_id, None)
            runtime.registry.deliver_result(job_id, result)

    async def _command(self, message: Message) -> None:
        """Carry out a command for an agent held here and answer its sender."""
        reply: Message = {"kind": "reply", "call": message.get("call")}
        registry = self.runtime.registry
        agent_id = uuid.UUID(message["agent"])
        fenced = message.get("connection")
        # A command without a connection id comes from a replica of an older version (a rolling
        # upgrade): it gets the agent's newest connection here, as it expects.
        connection = (
            registry.connection(agent_id, uuid.UUID(fenced)) if fenced else registry.get(agent_id)
        )
        op = message.get("op")
        try:
            if connection is None:
                reply["error"] = "gone"
            elif op == "send":
                frame = _frame(message["frame"])
                if frame.HasField("start_job"):
                    # The job's key requests are answered on this connection (see
                    # AgentRegistry.claim_job); bound before the send, as for a local runner.
                    registry.bind_job(uuid.UUID(frame.start_job.job_id), connection)
                await connection.send(frame)
            elif op == "request":
                answer = await connection.request(
                    _frame(message["frame"]), timeout_seconds=float(message["timeout"])
                )
                reply["frame"] = _encode(answer)
            elif op == "disconnect":
                registry.unregister(connection)
                await connection.disconnect(int(message["code"]), str(message["reason"]))
            else:
                reply["error"] = "unknown-command"
        except TimeoutError:
            reply["error"] = "timeout"
        except AgentDisconnectedError:
            reply["error"] = "gone"
        sender = message.get("from")
        if isinstance(sender, str):
            await self.bus.send(replica_channel(uuid.UUID(hex=sender)), reply)
