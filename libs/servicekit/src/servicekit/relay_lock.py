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

from collections.abc import Callable
from typing import Any

import asyncpg
from sqlalchemy import TextClause, text

from servicekit.leader import LeaderLock, LeadershipLost, advisory_key

__all__ = ["OUTBOX_CHANNEL", "LeadershipLost", "RelayLock", "begin_batch_sql", "relay_lock_key"]

OUTBOX_CHANNEL = "aos_outbox"
# The first of the two int4 keys of the lock: what the lock is for (the outbox relay), so that
# it cannot meet another advisory lock of the same database keyed by a single hash.
_LOCK_CLASS = 0x0A05_0001


def relay_lock_key(service: str) -> tuple[int, int]:
    """The two int4 keys of ``service``'s relay lock (stable across processes and versions)."""
    return advisory_key(_LOCK_CLASS, service)


class RelayLock(LeaderLock):
    """The advisory lock of one service's relay, on a connection of its own
    (a :class:`~servicekit.leader.LeaderLock` that also listens for commits).

    ``on_notify`` is called (in the event loop) for every notification on
    :data:`OUTBOX_CHANNEL` while the lock is held.
    """

    def __init__(self, dsn: str, *, service: str, on_notify: Callable[[], None]) -> None:
        super().__init__(dsn, key=relay_lock_key(service), application_name="aos-outbox-relay")
        self._on_notify = on_notify

    async def _acquired(self, connection: asyncpg.Connection) -> None:
        await connection.add_listener(OUTBOX_CHANNEL, self._notified)

    def _notified(self, *_: Any) -> None:
        self._on_notify()


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
