"""Telling "our infrastructure is away" apart from every other failure.

A database or broker that refuses connections, a pool that times out, a connection reset in the
middle of a query: none of these says anything about the work being done, and retrying it later
will succeed. Two questions are asked, one built on the other:

- :func:`is_database_unavailable`: the database cannot be reached or is going away. A request
  that fails so is answered 503 with Retry-After (servicekit.problems), so it must not take an
  error of the request itself for an outage.
- :func:`is_infrastructure_error`: that, or any other network, driver-connection or broker
  failure. The event consumer and the outbox relay do not give up on such an error: they retry
  it rather than dead-letter the event.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import asyncpg
from aiokafka.errors import KafkaError, KafkaTimeoutError
from sqlalchemy import exc as sa

__all__ = ["is_database_unavailable", "is_infrastructure_error"]

# SQLSTATEs that say the server cannot serve now, not that the statement is wrong: class 08
# (connection exception), shutdown and start-up (57P01-57P03), too many connections (53300).
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})
# Python-level errors of reaching the server: refused or reset connections, unknown host names,
# connect timeouts (asyncpg raises these raw, SQLAlchemy does not wrap them).
# sqlalchemy's TimeoutError is the pool's: no connection became free in time.
_UNREACHABLE = (ConnectionError, socket.gaierror, TimeoutError, sa.TimeoutError)

# What the consumer retries beyond an unavailable database: any socket error, the drivers'
# connection-level errors whatever their message, and the broker's timeouts (the other Kafka
# errors worth retrying are marked ``retriable`` by aiokafka).
_ALSO_INFRASTRUCTURE: tuple[type[BaseException], ...] = (
    OSError,
    sa.DisconnectionError,
    sa.OperationalError,
    sa.InterfaceError,
    asyncpg.InterfaceError,
    KafkaTimeoutError,
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and the exceptions it was raised from or while handling, nearest first."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _says_database_unavailable(error: BaseException) -> bool:
    """``error`` itself (not what caused it) says the database cannot be reached or is going
    away."""
    if isinstance(error, _UNREACHABLE):
        return True
    if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, asyncpg.PostgresError):
        state = str(getattr(error, "sqlstate", "") or "")
        return state.startswith("08") or state in _UNAVAILABLE_SQLSTATES
    # "connection is closed": the server or the network dropped it.
    return isinstance(error, asyncpg.InterfaceError) and "closed" in str(error)


def is_database_unavailable(error: BaseException) -> bool:
    """True when ``error`` (or what caused it) means the database cannot be reached or is going
    away, so the request may succeed when retried later; False for errors of the request itself.
    """
    for current in _chain(error):
        if _says_database_unavailable(current):
            return True
        if isinstance(current, asyncpg.PostgresError):
            return False  # the server answered, and its SQLSTATE is about the request
    return False


def is_infrastructure_error(error: BaseException) -> bool:
    """True when ``error`` (or an exception it was raised from) means a database, broker or
    network is unreachable or overloaded, so the same work will succeed once it is back."""
    return any(
        _says_database_unavailable(current)
        or isinstance(current, _ALSO_INFRASTRUCTURE)
        or (isinstance(current, KafkaError) and current.retriable)
        for current in _chain(error)
    )
