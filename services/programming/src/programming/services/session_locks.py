"""Exactly one runner per session across replicas: a PostgreSQL advisory lock per session,
held on a dedicated connection of this replica.

A replica that dies drops its connection, and with it every lock it held: another replica's
scan takes the session over. A replica that loses its lock connection (network, database
restart) can no longer be sure nobody else runs its sessions, so it cancels its runners at once
(fencing) and takes the locks again on a new connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable

import asyncpg

from servicekit.logging import get_logger

__all__ = ["APPLICATION_NAME", "SessionLocks", "lock_key"]

log = get_logger(__name__)

# How often the lock connection is checked, and how long a check may take.
CHECK_SECONDS = 1.0
CHECK_TIMEOUT_SECONDS = 2.0
# How the lock connection shows in pg_stat_activity.
APPLICATION_NAME = "aos-programming-session-locks"


def lock_key(session_id: uuid.UUID) -> int:
    """The advisory lock key (bigint) of a session."""
    return int.from_bytes(session_id.bytes[:8], "big", signed=True)


class SessionLocks:
    def __init__(self, *, dsn: str, on_lost: Callable[[], None]) -> None:
        self._dsn = dsn
        self._on_lost = on_lost
        self._connection: asyncpg.Connection | None = None
        # One statement at a time on the connection.
        self._lock = asyncio.Lock()
        self.held: set[uuid.UUID] = set()
        self._watch: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._connection = await self._connect()
        self._watch = asyncio.create_task(self._keep(), name="session-locks")

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close(timeout=2)
        self._connection = None
        self.held.clear()

    async def _connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(
            self._dsn, timeout=5, server_settings={"application_name": APPLICATION_NAME}
        )

    async def acquire(self, session_id: uuid.UUID) -> bool:
        """Take the session's lock if no one holds it (this replica included)."""
        if session_id in self.held or self._connection is None:
            return False
        self.held.add(session_id)  # before the await: a second caller here gets False
        try:
            async with self._lock:
                taken = bool(
                    await self._connection.fetchval(
                        "SELECT pg_try_advisory_lock($1)",
                        lock_key(session_id),
                        timeout=CHECK_TIMEOUT_SECONDS,
                    )
                )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            log.warning("session lock not taken", session_id=str(session_id), error=str(exc))
            taken = False
        if not taken:
            self.held.discard(session_id)
        return taken

    async def release(self, session_id: uuid.UUID) -> None:
        if session_id not in self.held:
            return
        self.held.discard(session_id)
        connection = self._connection
        if connection is None:
            return
        with contextlib.suppress(
            OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError
        ):
            async with self._lock:
                await connection.fetchval(
                    "SELECT pg_advisory_unlock($1)",
                    lock_key(session_id),
                    timeout=CHECK_TIMEOUT_SECONDS,
                )

    def drop(self) -> None:
        """Forget the connection as lost: fence the runners, take locks anew later."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.terminate()
        if self.held:
            log.warning("session locks lost; stopping this replica's runners", held=len(self.held))
        self.held.clear()
        self._on_lost()

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(CHECK_SECONDS)
            connection = self._connection
            if connection is not None:
                try:
                    async with self._lock:
                        await connection.fetchval("SELECT 1", timeout=CHECK_TIMEOUT_SECONDS)
                    continue
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                    self.drop()
            try:
                self._connection = await self._connect()
                log.info("session lock connection open again")
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                log.warning("session lock connection cannot open", error=str(exc))
