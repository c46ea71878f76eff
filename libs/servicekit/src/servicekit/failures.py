"""Telling "our infrastructure is away" apart from every other failure.

A database or broker that refuses connections, a pool that times out, a connection reset in the
middle of a query: none of these says anything about the work being done, and retrying it later
will succeed. Code that must not give up on such errors (the event consumer) asks
:func:`is_infrastructure_error`.
"""

from __future__ import annotations

import asyncpg
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from sqlalchemy import exc as sa

__all__ = ["is_infrastructure_error"]

_INFRASTRUCTURE: tuple[type[BaseException], ...] = (
    # Refused, reset or unreachable sockets; TimeoutError is the built-in (and asyncio's) one.
    OSError,
    TimeoutError,
    # SQLAlchemy: the connection pool ran dry, a connection dropped, the server is not answering.
    sa.TimeoutError,
    sa.DisconnectionError,
    sa.OperationalError,
    sa.InterfaceError,
    # asyncpg: connection lost or refused, server shutting down or starting up, too many clients.
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    # Kafka, for example while writing to the dead-letter topic.
    KafkaConnectionError,
    KafkaTimeoutError,
)


def is_infrastructure_error(error: BaseException) -> bool:
    """True when ``error`` (or an exception it was raised from) means a database, broker or
    network is unreachable or overloaded, so the same work will succeed once it is back."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _INFRASTRUCTURE):
            return True
        if isinstance(current, sa.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, KafkaError) and current.retriable:
            return True
        current = current.__cause__ or current.__context__
    return False
