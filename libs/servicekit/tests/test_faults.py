"""The TCP proxy of the outage tests: each way of taking the target away is what a client sees."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from servicekit.faults import TcpProxy, on_local_port


@pytest.fixture
async def echo_port() -> AsyncIterator[int]:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(1024):
            writer.write(data)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


@pytest.fixture
async def proxy(echo_port: int) -> AsyncIterator[TcpProxy]:
    running = TcpProxy("127.0.0.1", echo_port)
    await running.start()
    yield running
    await running.close()


async def connect(proxy: TcpProxy) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", proxy.port)


async def connected(proxy: TcpProxy) -> asyncio.StreamReader:
    """A connection through the proxy, once an answer came back over it."""
    reader, writer = await connect(proxy)
    writer.write(b"ping")
    assert await reader.readexactly(4) == b"ping"
    return reader


async def echoes(proxy: TcpProxy) -> bool:
    reader, writer = await connect(proxy)
    try:
        writer.write(b"ping")
        return await reader.readexactly(4) == b"ping"
    finally:
        writer.close()


async def is_dropped(reader: asyncio.StreamReader) -> bool:
    try:
        return await reader.read(1) == b""
    except ConnectionResetError:
        return True


async def test_a_cut_proxy_refuses_connections_and_listens_again_on_the_same_port(
    proxy: TcpProxy,
) -> None:
    reader = await connected(proxy)
    port = proxy.port

    await proxy.cut()
    assert await is_dropped(reader)
    with pytest.raises(ConnectionRefusedError):
        await connect(proxy)

    assert await proxy.start() == port
    assert await echoes(proxy)


async def test_a_refusing_proxy_drops_and_counts_each_connection_until_restored(
    proxy: TcpProxy,
) -> None:
    reader = await connected(proxy)
    proxy.refuse()
    assert await is_dropped(reader)
    late_reader, _ = await connect(proxy)  # accepted by the kernel, dropped by the proxy
    assert await is_dropped(late_reader)
    assert len(proxy.refused_at) == 1

    proxy.restore()
    assert await echoes(proxy)
    assert len(proxy.refused_at) == 1


async def test_a_reset_drops_the_open_connections_and_passes_new_ones(proxy: TcpProxy) -> None:
    reader = await connected(proxy)
    proxy.reset()
    assert await is_dropped(reader)
    assert await echoes(proxy)


def test_a_url_through_the_proxy_keeps_its_credentials_and_database() -> None:
    url = "postgresql+asyncpg://aos:pw@db.example:6543/aos_billing?ssl=off"
    proxy = TcpProxy.in_front_of(url)
    assert (proxy.target_host, proxy.target_port) == ("db.example", 6543)
    assert (
        on_local_port(url, 4321) == "postgresql+asyncpg://aos:pw@127.0.0.1:4321/aos_billing?ssl=off"
    )
    assert on_local_port("postgresql://db/x", 4321) == "postgresql://127.0.0.1:4321/x"
