"""The floor of a reverse proxy in Python, for ``gateway_bench.py --python-floor``.

The least any Python proxy on uvloop + httptools does per request: parse the client's request
(to know where it ends), pass its bytes on the client connection's own kept-alive upstream
connection, parse the answer (to know where it ends) and write it back in one piece. No
routing, header rules, token check, rate limit, request id, log line, metric or span. Its CPU
per request is what the gateway could reach if all of those cost nothing: the measure of
whether an aim is reachable in Python at all. Not a proxy to use: it trusts both sides.

Usage: ``python bare_python_proxy.py <listen port> <upstream port>`` (127.0.0.1 only).
"""

from __future__ import annotations

import asyncio
import sys

import httptools
import uvloop

HOST = "127.0.0.1"


class _Upstream(asyncio.Protocol):
    def __init__(self, client: _Client) -> None:
        self.client = client
        self.parser = httptools.HttpResponseParser(self)
        self.pieces: list[bytes] = []
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.pieces.append(data)
        self.parser.feed_data(data)

    def on_message_complete(self) -> None:
        answer = self.pieces[0] if len(self.pieces) == 1 else b"".join(self.pieces)
        self.pieces = []
        if self.client.transport is not None:
            self.client.transport.write(answer)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.client.transport is not None:
            self.client.transport.close()


class _Client(asyncio.Protocol):
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.parser = httptools.HttpRequestParser(self)
        self.upstream: _Upstream | None = None
        self.waiting: list[bytes] = []
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self._connecting = asyncio.ensure_future(self._connect())

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        _, upstream = await loop.create_connection(
            lambda: _Upstream(self), HOST, self.upstream_port
        )
        self.upstream = upstream
        assert upstream.transport is not None
        for data in self.waiting:
            upstream.transport.write(data)
        self.waiting = []

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)
        if self.upstream is None or self.upstream.transport is None:
            self.waiting.append(data)
        else:
            self.upstream.transport.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.upstream is not None and self.upstream.transport is not None:
            self.upstream.transport.close()


async def _serve(port: int, upstream_port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Client(upstream_port), HOST, port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    uvloop.run(_serve(int(sys.argv[1]), int(sys.argv[2])))
