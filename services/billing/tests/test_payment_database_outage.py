"""PostgreSQL away when the payment provider's callback is due: the callback is retried until
the database is back, never dropped, and the order is paid exactly once.

Billing reaches its database through a TCP proxy of this test, which can refuse and cut
connections like a database that went away, without touching the shared PostgreSQL server.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import pytest

CALLBACK_DELAY_SECONDS = 1.0
# Longer than the old provider's whole retry budget (5 attempts, 0.2 s doubling: about 3 s).
OUTAGE_AFTER_DUE_SECONDS = 5.0


class DatabaseProxy:
    """Forwards TCP connections to PostgreSQL; while down, every connection is closed at once
    (and counted), and the connections open when it went down are cut."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.down = False
        self.refused_at: list[float] = []
        self._links: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self.go_down()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def go_down(self) -> None:
        self.down = True
        for writer in list(self._links):
            writer.close()

    def come_back(self) -> None:
        self.down = False

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            self.refused_at.append(time.monotonic())
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._links.update((writer, up_writer))
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            self._links.difference_update((writer, up_writer))
            writer.close()
            up_writer.close()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[DatabaseProxy]:
    parts = urlsplit(database_url)
    running = DatabaseProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await running.start()
    yield running
    await running.close()


def through(proxy: DatabaseProxy, database_url: str) -> str:
    parts = urlsplit(database_url)
    netloc = parts.netloc.rsplit("@", 1)
    address = f"127.0.0.1:{proxy.port}"
    return urlunsplit(
        parts._replace(netloc=f"{netloc[0]}@{address}" if len(netloc) == 2 else address)
    )


async def wait_until(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.05)


async def test_a_callback_due_while_the_database_is_away_is_delivered_when_it_is_back(
    start_billing, proxy: DatabaseProxy, database_url: str
) -> None:
    async with start_billing(
        database_url=through(proxy, database_url),
        test_provider_delay_seconds=CALLBACK_DELAY_SECONDS,
    ) as billing:
        org = billing.org()
        order = await billing.order(org, "PROGRAMMING_1H")
        await billing.pay(org, order["id"])
        due = time.monotonic() + CALLBACK_DELAY_SECONDS

        proxy.go_down()
        # Down when the callback was due, and the provider tried to deliver it then.
        await wait_until(
            lambda: any(moment > due for moment in proxy.refused_at),
            timeout=30,
            what="nobody tried to reach the database after the callback was due",
        )
        await wait_until(
            lambda: time.monotonic() > due + OUTAGE_AFTER_DUE_SECONDS, timeout=30, what="clock"
        )
        proxy.come_back()

        await billing.wait_for_status(org, order["id"], "paid", timeout=60)
        assert len(await billing.delivered_callbacks()) == 1
        [(entitlements,)] = await billing.sql(
            "SELECT count(*) FROM entitlements WHERE order_id = :id", id=order["id"]
        )
        assert entitlements == 1
