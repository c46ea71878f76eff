"""Async SQLAlchemy engine, one transaction per request, and the model base conventions.

Nothing outside this module calls ``commit()``: the request's session dependency and
:meth:`Database.transaction` commit when the unit of work ends without error and roll back
otherwise.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Set in session.info when the unit of work wrote to the outbox, so the relay is woken after
# the commit instead of waiting for its next poll.
OUTBOX_WRITTEN = "aos_outbox_written"


def new_metadata() -> MetaData:
    """A MetaData with the naming convention every service uses."""
    return MetaData(naming_convention=NAMING_CONVENTION)


# Seconds to open a connection, and to wait for a free one in the pool. asyncpg waits 60 s and
# the pool 30 s by default: a request would hang that long before it could say the database is
# away (see is_database_unavailable).
CONNECT_TIMEOUT_SECONDS = 5.0
POOL_TIMEOUT_SECONDS = 10.0

# SQLSTATEs that say the server cannot serve now, not that the statement is wrong: class 08
# (connection exception), shutdown and start-up (57P01-57P03), too many connections (53300).
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})
# Python-level errors of reaching the server: refused or reset connections, unknown host names,
# connect timeouts (asyncpg raises these raw, SQLAlchemy does not wrap them).
# sqlalchemy's TimeoutError is the pool's: no connection became free in time.
_UNREACHABLE = (ConnectionError, socket.gaierror, TimeoutError, sa_exc.TimeoutError)


def is_database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) means the database cannot be reached or is going
    away, so the request may succeed when retried later; False for errors of the request itself.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 16:
        seen.add(id(current))
        if isinstance(current, _UNREACHABLE):
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, asyncpg.PostgresError):
            state = str(getattr(current, "sqlstate", "") or "")
            return state.startswith("08") or state in _UNAVAILABLE_SQLSTATES
        if isinstance(current, asyncpg.InterfaceError) and "closed" in str(current):
            return True  # "connection is closed": the server or the network dropped it
        current = current.__cause__ or current.__context__
    return False


class Database:
    """The engine and session factory of one service database."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            pool_timeout=POOL_TIMEOUT_SECONDS,
            connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},
            echo=echo,
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.outbox_signal = asyncio.Event()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit on success, roll back on any exception."""
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
            if session.info.pop(OUTBOX_WRITTEN, False):
                self.outbox_signal.set()

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    async with database.transaction() as session:
        yield session


# scope="function": the transaction ends when the endpoint returns, before the response is
# sent, so a failed commit becomes an error response instead of a lost write after a 2xx.
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
