"""Async SQLAlchemy engine, one transaction per request, and the model base conventions.

Nothing outside this module calls ``commit()``: the request's session dependency and
:meth:`Database.transaction` commit when the unit of work ends without error and roll back
otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import MetaData
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
# away (see servicekit.failures.is_database_unavailable).
CONNECT_TIMEOUT_SECONDS = 5.0
POOL_TIMEOUT_SECONDS = 10.0


class Database:
    """The engine and session factory of one service database."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        pool_timeout: float = POOL_TIMEOUT_SECONDS,
        echo: bool = False,
    ) -> None:
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            pool_timeout=pool_timeout,
            connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},
            echo=echo,
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.outbox_signal = asyncio.Event()

    @property
    def dsn(self) -> str:
        """The database's plain ``postgresql://`` DSN, for a connection of asyncpg's own (a
        LISTEN, a session-level lock) outside the pool."""
        return self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

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
