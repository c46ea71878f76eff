"""Which replica's outbox relay publishes, and waking it when an event is committed.

Every replica of a service runs a relay, but only one publishes at a time: the one holding the
service's PostgreSQL advisory lock. Two relays publishing side by side could send two events of
one key out of order (each claims its own batch, and the later batch may reach the broker
first). The lock is session-level, held on a connection of its own that the relay keeps open
while it is active, so it is let go when that connection ends for any reason: the process died,
the network went, the database restarted. A replica waiting for the lock then gets it at its next
try, within ``retry`` seconds.

The same connection LISTENs on :data:`OUTBOX_CHANNEL`. :func:`servicekit.outbox.record_event`
notifies it in the writer's transaction, so PostgreSQL delivers the notification when that
transaction commits, whichever replica wrote it: the relay publishes at once instead of at its
next poll. PostgreSQL folds the notifications of one transaction into one, and the relay reads
whatever is committed when it wakes, so a burst of commits costs a few batches, not one each.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable
from typing import Any

import asyncpg
from sqlalchemy import TextClause, text

from servicekit.db import CONNECT_TIMEOUT_SECONDS

__all__ = ["OUTBOX_CHANNEL", "LeadershipLost", "RelayLock", "begin_batch_sql", "relay_lock_key"]

OUTBOX_CHANNEL = "aos_outbox"
# The first of the two int4 keys of the lock: what the lock is for (the outbox relay), so that
# it cannot meet another advisory lock of the same database keyed by a single hash.
_LOCK_CLASS = 0x0A05_0001
CHECK_TIMEOUT_SECONDS = 5.0


class LeadershipLost(Exception):
    """The relay's lock connection ended: another replica may publish now, this one must not."""


def relay_lock_key(service: str) -> tuple[int, int]:
    """The two int4 keys of ``service``'s relay lock (stable across processes and versions)."""
    digest = zlib.crc32(service.encode())
    return _LOCK_CLASS, digest - (1 << 32) if digest >= 1 << 31 else digest


class RelayLock:
    """The advisory lock of one service's relay, on a connection of its own.

    ``on_notify`` is called (in the event loop) for every notification on
    :data:`OUTBOX_CHANNEL` while the lock is held.
    """

    def __init__(self, dsn: str, *, service: str, on_notify: Callable[[], None]) -> None:
        self._dsn = dsn
        self._key = relay_lock_key(service)
        self._on_notify = on_notify
        self._connection: asyncpg.Connection | None = None
        self._held = False

    @property
    def held(self) -> bool:
        """True while the lock is ours and its connection is open (as far as we know)."""
        return self._held and self._connection is not None and not self._connection.is_closed()

    @property
    def key(self) -> tuple[int, int]:
        return self._key

    @property
    def backend_pid(self) -> int:
        """The PostgreSQL backend holding our lock. Raises LeadershipLost when not held."""
        if not self.held or self._connection is None:
            raise LeadershipLost("the relay does not hold its lock")
        return int(self._connection.get_server_pid())

    async def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; True when it is ours (now or already).

        Raises what connecting raises (the database is away) after closing what it opened.
        """
        if self.held:
            return True
        connection = self._connection
        if connection is None or connection.is_closed():
            # A waiting relay keeps its connection between tries: one connection, not one a
            # second.
            connection = self._connection = await asyncpg.connect(
                self._dsn,
                timeout=CONNECT_TIMEOUT_SECONDS,
                server_settings={"application_name": "aos-outbox-relay"},
            )
        try:
            acquired = await connection.fetchval("SELECT pg_try_advisory_lock($1, $2)", *self._key)
            if not acquired:
                return False
            await connection.add_listener(OUTBOX_CHANNEL, self._notified)
            connection.add_termination_listener(self._terminated)
        except BaseException:
            self.abandon()
            raise
        self._held = True
        return True

    async def check(self) -> None:
        """Ask the lock's connection for a sign of life: a connection that died without the
        client noticing (a dropped network) is found here. Raises LeadershipLost."""
        connection = self._connection
        if not self.held or connection is None:
            raise LeadershipLost("the relay does not hold its lock")
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                await connection.fetchval("SELECT 1")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._held = False
            connection.terminate()
            raise LeadershipLost("the relay's lock connection does not answer") from exc

    def abandon(self) -> None:
        """Drop the connection at once, without a word to the server: the lock, if it was ours,
        is free as soon as PostgreSQL sees the connection gone."""
        connection, self._connection = self._connection, None
        self._held = False
        if connection is not None:
            connection.terminate()

    def _notified(self, *_: Any) -> None:
        self._on_notify()

    def _terminated(self, _connection: Any) -> None:
        # Called by asyncpg when the connection closes: the lock went with it.
        self._held = False


def begin_batch_sql() -> TextClause:
    """The first statement of a relay's publishing transaction: true when backend ``:pid``
    holds the relay lock ``(:class_key, :service_key)``.

    It fences a relay whose lock went elsewhere without it noticing yet (its connection was
    ended by the server) from publishing a batch. In the same round trip it lets the
    transaction's commit return without waiting for the disk: a commit lost in a crash only
    means rows published again, which consumers drop by event id.
    """
    return text(
        "SELECT set_config('synchronous_commit', 'off', true) IS NOT NULL AND EXISTS ("
        "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND pid = :pid AND objsubid = 2"
        " AND classid::bigint = CAST(:class_key AS bigint) & 4294967295"
        " AND objid::bigint = CAST(:service_key AS bigint) & 4294967295)"
    )
