"""The database being away is an outage clients may retry: 503 ``service-unavailable`` with
Retry-After, never a 500, whether it was never reachable or went away under running requests."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from servicekit.app import ServiceSpec, create_service_app
from servicekit.db import SessionDep
from servicekit.failures import is_database_unavailable
from servicekit.faults import TcpProxy, on_local_port
from servicekit.settings import ServiceSettings
from servicekit.testing import assert_problem, asyncpg_dsn, running_app

MIGRATIONS = Path(__file__).parent / "kit_migrations"

router = APIRouter()


@router.get("/count")
async def count(session: SessionDep) -> dict[str, int]:
    return {"events": int((await session.execute(text("SELECT count(*) FROM outbox"))).scalar())}


@router.get("/slow")
async def slow(session: SessionDep) -> dict[str, str]:
    await session.execute(text("SELECT pg_sleep(30)"))
    return {"status": "slept"}


def _app(database_url: str, kafka: str) -> FastAPI:
    settings = ServiceSettings(
        service_name="kit-test",
        database_url=database_url,
        kafka_bootstrap_servers=kafka,
        environment="test",
        migrate_on_start=False,
        run_background_workers=False,
    )
    spec = ServiceSpec(title="kit", version="0", routers=[router], migrations_dir=MIGRATIONS)
    return create_service_app(settings, spec)


def _assert_unavailable(response: httpx.Response) -> None:
    body = assert_problem(response, 503, "service-unavailable")
    assert body["code"] == "service-unavailable"
    assert int(response.headers["retry-after"]) > 0
    assert "database" in body["detail"]


@pytest.fixture
async def database_url(database_factory: Any) -> str:
    return str(await database_factory.create(MIGRATIONS))


async def test_a_database_nobody_listens_on_is_a_503_with_retry_after(
    database_url: str, kafka_bootstrap_servers: str
) -> None:
    # Bound but not listening: connections are refused, and no other process can take the port.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = on_local_port(database_url, closed.getsockname()[1])
        async with running_app(_app(url, kafka_bootstrap_servers)) as client:
            _assert_unavailable(await client.get("/count"))


async def test_a_database_that_goes_away_is_a_503(
    database_url: str, kafka_bootstrap_servers: str
) -> None:
    proxy = TcpProxy.in_front_of(database_url)
    await proxy.start()
    async with running_app(_app(proxy.proxied(database_url), kafka_bootstrap_servers)) as client:
        first = await client.get("/count")
        assert first.status_code == 200, first.text  # a pooled connection now exists
        await proxy.close()
        _assert_unavailable(await client.get("/count"))


async def test_a_connection_cut_during_a_query_is_a_503(
    database_url: str, kafka_bootstrap_servers: str
) -> None:
    proxy = TcpProxy.in_front_of(database_url)
    await proxy.start()
    database = urlsplit(database_url).path.lstrip("/")
    admin = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        async with running_app(_app(proxy.proxied(database_url), kafka_bootstrap_servers)) as c:
            request = asyncio.create_task(c.get("/slow"))
            # Cut the link only once the query runs on the server (its state, not a delay).
            while not await admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 "
                "AND query LIKE 'SELECT pg_sleep%' AND state = 'active'",
                database,
            ):
                assert not request.done(), (await request).text
                await asyncio.sleep(0.02)
            await proxy.close()
            _assert_unavailable(await request)
    finally:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
        await admin.close()


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (asyncpg.CannotConnectNowError("the database system is starting up"), True),
        (asyncpg.AdminShutdownError("terminating connection due to administrator command"), True),
        (asyncpg.TooManyConnectionsError("too many clients"), True),
        (asyncpg.InterfaceError("connection is closed"), True),
        (sa_exc.TimeoutError("QueuePool limit reached"), True),
        (ConnectionResetError(), True),
        # Errors of the request itself stay 500s (or are answered by their own handlers).
        (asyncpg.CharacterNotInRepertoireError("invalid byte sequence"), False),
        (asyncpg.UniqueViolationError("duplicate key"), False),
        (asyncpg.InterfaceError("another operation is in progress"), False),
        (FileNotFoundError("image.bin"), False),
        (ValueError("a bug"), False),
    ],
)
def test_only_errors_of_reaching_the_database_count_as_unavailable(
    error: BaseException, unavailable: bool
) -> None:
    assert is_database_unavailable(error) is unavailable
    # The same when wrapped, as SQLAlchemy wraps the driver's errors.
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = error
    assert is_database_unavailable(wrapped) is unavailable
