"""Messages between programming replicas over PostgreSQL LISTEN/NOTIFY.

Each replica LISTENs on its own channel (commands for the agents it holds, and the replies to
its own commands) and on the broadcast channel (job results, live progress, session events).
A NOTIFY is delivered when its transaction commits and only then, in commit order. Payloads are
JSON; one larger than fits a NOTIFY is stored in ``replica_messages`` and the notification
carries its id. Messages are transient: one lost while a listener reconnects ends in its
caller's timeout, and nothing durable depends on it (state is in the tables).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from programming.db.replicas import ReplicaRepository
from servicekit.db import Database
from servicekit.logging import get_logger

__all__ = ["BROADCAST_CHANNEL", "Message", "ReplicaBus", "asyncpg_dsn", "replica_channel"]

log = get_logger(__name__)

BROADCAST_CHANNEL = "programming_sessions"
# NOTIFY takes at most 8000 bytes; the rest of this is room for the channel name.
MAX_NOTIFY_BYTES = 7800
# How often a lost LISTEN connection is noticed and opened again.
RECONNECT_SECONDS = 1.0

Message = dict[str, Any]
Handler = Callable[[Message], Awaitable[None]]


def replica_channel(replica_id: uuid.UUID) -> str:
    return f"programming_replica_{replica_id.hex}"


def asyncpg_dsn(database_url: str) -> str:
    """A plain postgresql:// DSN for asyncpg from the service's SQLAlchemy URL."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class ReplicaBus:
    """One replica's end: a dedicated LISTEN connection, handled in arrival order."""

    def __init__(
        self, database: Database, *, dsn: str, replica_id: uuid.UUID, handler: Handler
    ) -> None:
        self._database = database
        self._dsn = dsn
        self.replica_id = replica_id
        self._handler = handler
        self._channels = (replica_channel(replica_id), BROADCAST_CHANNEL)
        self._connection: asyncpg.Connection | None = None
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await self._listen()
        self._tasks = [
            asyncio.create_task(self._dispatch(), name="replica-bus-dispatch"),
            asyncio.create_task(self._keep_listening(), name="replica-bus-listen"),
        ]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close(timeout=2)
            self._connection = None

    async def send(
        self, channel: str, message: Message, *, session: AsyncSession | None = None
    ) -> None:
        """NOTIFY ``message`` on ``channel``: inside ``session``'s transaction (delivered if
        it commits), or in a transaction of its own."""
        if session is not None:
            await _notify(ReplicaRepository(session), channel, self._stamped(message))
            return
        async with self._database.transaction() as own:
            await _notify(ReplicaRepository(own), channel, self._stamped(message))

    def _stamped(self, message: Message) -> str:
        return json.dumps({**message, "from": self.replica_id.hex}, separators=(",", ":"))

    async def _listen(self) -> None:
        connection = await asyncpg.connect(self._dsn, timeout=5)
        for channel in self._channels:
            await connection.add_listener(channel, self._received)
        self._connection = connection

    def _received(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        self._queue.put_nowait(payload)

    async def _keep_listening(self) -> None:
        while True:
            await asyncio.sleep(RECONNECT_SECONDS)
            if self._connection is not None and not self._connection.is_closed():
                continue
            try:
                await self._listen()
                log.info("replica bus listening again")
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                log.warning("replica bus cannot listen", error=str(exc))

    async def _dispatch(self) -> None:
        while True:
            payload = await self._queue.get()
            try:
                message = await self._load(payload)
                if message is not None and message.get("from") != self.replica_id.hex:
                    await self._handler(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one bad message must not stop the bus
                log.error("replica message not handled", exc_info=exc)

    async def _load(self, payload: str) -> Message | None:
        message = json.loads(payload)
        if not isinstance(message, dict):
            return None
        if "stored" in message:
            async with self._database.transaction() as session:
                stored = await ReplicaRepository(session).message(int(message["stored"]))
            if stored is None:
                log.warning("replica message gone before it was read", id=message["stored"])
                return None
            message = json.loads(stored)
        return message if isinstance(message, dict) else None


async def _notify(repository: ReplicaRepository, channel: str, payload: str) -> None:
    if len(payload.encode()) > MAX_NOTIFY_BYTES:
        stored = await repository.store_message(payload)
        sender = json.loads(payload)["from"]
        payload = json.dumps({"stored": stored, "from": sender}, separators=(",", ":"))
    await repository.notify(channel, payload)
