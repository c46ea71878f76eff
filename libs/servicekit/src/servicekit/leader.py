"""One process of many does a job: a PostgreSQL advisory lock held on a connection of its own.

Every replica (and every worker process) of a service may run the same background job. Most jobs
are safe side by side (each claims its rows with ``FOR UPDATE SKIP LOCKED``); a job that is not,
or that would only repeat work at an outside system's cost, runs in the one process that holds
the job's lock: :func:`run_while_leader`.

The lock is session-level, on a connection kept open while it is held, so it is let go when that
connection ends for any reason: the process stopped or died, the network went, the database
restarted. A process waiting for the lock gets it at its next try. A leader asks its connection
for a sign of life now and then (:meth:`LeaderLock.check`), so a connection that died without the
client noticing (a dropped network) ends its leadership too.

Keys are two int4 values: the first says what kind of lock it is (the outbox relay, migrations, a
leader job), the second is a hash of the name, so that locks of different kinds never meet.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from servicekit.db import CONNECT_TIMEOUT_SECONDS
from servicekit.logging import get_logger
from servicekit.tasks import cancel_and_wait

__all__ = [
    "LEADER_LOCK_CLASS",
    "LeaderLock",
    "LeadershipLost",
    "advisory_key",
    "leader_lock_key",
    "run_while_leader",
]

log = get_logger(__name__)

# The first key of a leader job's lock (servicekit.relay_lock and servicekit.migrations have
# their own classes).
LEADER_LOCK_CLASS = 0x0A05_0003
CHECK_TIMEOUT_SECONDS = 5.0
DEFAULT_RETRY_SECONDS = 2.0
DEFAULT_CHECK_SECONDS = 5.0


class LeadershipLost(Exception):
    """The lock's connection ended or does not answer: another process may lead now."""


def advisory_key(lock_class: int, name: str) -> tuple[int, int]:
    """The two int4 keys of the lock ``name`` of kind ``lock_class`` (stable across processes
    and versions: a CRC-32 of the name, as a signed int4)."""
    digest = zlib.crc32(name.encode())
    return lock_class, digest - (1 << 32) if digest >= 1 << 31 else digest


def leader_lock_key(name: str) -> tuple[int, int]:
    """The keys of the leader job ``name`` (e.g. ``billing.payment-reconciliation``)."""
    return advisory_key(LEADER_LOCK_CLASS, name)


class LeaderLock:
    """A session-level advisory lock on a connection of its own.

    ``key`` is the pair of int4 keys (:func:`advisory_key`); ``application_name`` shows in
    ``pg_stat_activity`` whose connection it is.
    """

    def __init__(self, dsn: str, *, key: tuple[int, int], application_name: str) -> None:
        self._dsn = dsn
        self._key = key
        self._application_name = application_name
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
            raise LeadershipLost(f"{self._application_name} does not hold its lock")
        return int(self._connection.get_server_pid())

    async def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; True when it is ours (now or already).

        Raises what connecting raises (the database is away) after closing what it opened.
        """
        if self.held:
            return True
        connection = self._connection
        if connection is None or connection.is_closed():
            # A waiting process keeps its connection between tries: one connection, not one a
            # try.
            connection = self._connection = await asyncpg.connect(
                self._dsn,
                timeout=CONNECT_TIMEOUT_SECONDS,
                server_settings={"application_name": self._application_name},
            )
        try:
            acquired = await connection.fetchval("SELECT pg_try_advisory_lock($1, $2)", *self._key)
            if not acquired:
                return False
            await self._acquired(connection)
            connection.add_termination_listener(self._terminated)
        except BaseException:
            self.abandon()
            raise
        self._held = True
        return True

    async def _acquired(self, connection: asyncpg.Connection) -> None:
        """Called on the lock's connection once the lock is taken (a subclass listens there)."""

    async def check(self) -> None:
        """Ask the lock's connection for a sign of life: a connection that died without the
        client noticing (a dropped network) is found here. Raises LeadershipLost."""
        connection = self._connection
        if not self.held or connection is None:
            raise LeadershipLost(f"{self._application_name} does not hold its lock")
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                await connection.fetchval("SELECT 1")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._held = False
            connection.terminate()
            raise LeadershipLost(f"{self._application_name}'s lock connection is gone") from exc

    async def release(self) -> None:
        """Close the connection politely, which lets the lock go at once; drop it when the
        server does not answer in time."""
        connection, self._connection = self._connection, None
        self._held = False
        if connection is None or connection.is_closed():
            return
        try:
            await connection.close(timeout=CHECK_TIMEOUT_SECONDS)
        except asyncio.CancelledError:
            connection.terminate()
            raise
        except Exception:
            connection.terminate()

    def abandon(self) -> None:
        """Drop the connection at once, without a word to the server: the lock, if it was ours,
        is free as soon as PostgreSQL sees the connection gone."""
        connection, self._connection = self._connection, None
        self._held = False
        if connection is not None:
            connection.terminate()

    def _terminated(self, _connection: Any) -> None:
        # Called by asyncpg when the connection closes: the lock went with it.
        self._held = False


async def run_while_leader(
    lock: LeaderLock,
    job: Callable[[], Awaitable[None]],
    *,
    name: str,
    retry_seconds: float = DEFAULT_RETRY_SECONDS,
    check_seconds: float = DEFAULT_CHECK_SECONDS,
) -> None:
    """Run ``job`` (a loop that runs until cancelled) only while this process holds ``lock``.

    A process that does not get the lock tries again every ``retry_seconds``. The leader checks
    its lock every ``check_seconds``; when it is lost, the job is cancelled and the process
    waits for the lock again. A job that ends or fails gives the lock back, and is started
    again at the next try. Runs until cancelled, and then lets the lock go.

    Nothing fences a leader that lost its lock without noticing yet (for up to
    ``check_seconds``): use a leader job where running twice for a moment costs only repeated
    work, not a wrong result.
    """
    unreachable = False
    try:
        while True:
            try:
                leading = await lock.try_acquire()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is away: try again later
                if not unreachable:  # once per outage, not once per try
                    log.warning("leader lock not reachable; retrying", job=name, error=repr(exc))
                unreachable, leading = True, False
            else:
                if unreachable:
                    log.info("leader lock reachable again", job=name)
                unreachable = False
            if not leading:
                await asyncio.sleep(retry_seconds)
                continue
            log.info("leading", job=name)
            await _lead(lock, job, name=name, check_seconds=check_seconds)
            await lock.release()
            await asyncio.sleep(retry_seconds)
    finally:
        await lock.release()


async def _lead(
    lock: LeaderLock, job: Callable[[], Awaitable[None]], *, name: str, check_seconds: float
) -> None:
    async def run_job() -> None:
        await job()

    task = asyncio.create_task(run_job(), name=f"leader-{name}")
    try:
        while not task.done():
            await asyncio.wait({task}, timeout=check_seconds)
            if not task.done():
                await lock.check()
    except LeadershipLost as exc:
        log.warning("leadership lost; the job stops here", job=name, reason=str(exc))
    finally:
        await cancel_and_wait(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("leader job failed; it starts again", job=name, error=repr(task.exception()))
