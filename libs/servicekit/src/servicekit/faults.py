"""A TCP proxy that tests put between a client and a real server, to take the server away on
purpose without stopping a server other tests share (PostgreSQL, Kafka, a service).

The ways a server goes away, as the client sees them:

- :meth:`TcpProxy.cut`: nothing listens any more ("connection refused") and the open
  connections are reset; :meth:`TcpProxy.start` listens again on the same port.
- :meth:`TcpProxy.refuse`: new connections are accepted and dropped at once (each attempt is
  recorded in ``refused_at``, so a test can tell somebody tried), open ones are reset;
  :meth:`TcpProxy.restore` passes connections again.
- :meth:`TcpProxy.reset`: the open connections are reset, new ones pass (a network blip).
- :meth:`TcpProxy.freeze`: the open connections stay open but pass nothing more (a dead link:
  a half-open connection, a hung middlebox).

Used only by tests; nothing in a service imports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from urllib.parse import urlsplit, urlunsplit

__all__ = ["TcpProxy", "on_local_port"]

_CHUNK = 65536


def on_local_port(url: str, port: int) -> str:
    """``url`` with its host and port replaced by ``127.0.0.1:<port>`` (credentials kept)."""
    parts = urlsplit(url)
    credentials, at, _ = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{credentials}{at}127.0.0.1:{port}"))


class _Link:
    """One forwarded connection: both ends and the two pipes between them."""

    def __init__(self, *ends: asyncio.StreamWriter) -> None:
        self.ends = ends
        self.pipes: list[asyncio.Task[None]] = []
        self.frozen = False

    def reset(self) -> None:
        for end in self.ends:
            end.transport.abort()
        for pipe in self.pipes:
            pipe.cancel()


class TcpProxy:
    """Forwards ``127.0.0.1:<port>`` to ``target_host:target_port``."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.port = 0
        # time.monotonic() of every connection dropped while refusing.
        self.refused_at: list[float] = []
        self._refusing = False
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()

    @classmethod
    def in_front_of(cls, url: str, *, default_port: int = 5432) -> TcpProxy:
        """A proxy to the host and port of ``url`` (a database URL, say)."""
        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or default_port)

    def proxied(self, url: str) -> str:
        """``url`` with its host and port replaced by the proxy's (credentials kept)."""
        return on_local_port(url, self.port)

    @property
    def is_open(self) -> bool:
        return self._server is not None

    @property
    def refusing(self) -> bool:
        return self._refusing

    async def start(self) -> int:
        """Listen (on a free port the first time, on the same port after a cut); returns it."""
        if self._server is None:
            # SO_REUSEADDR: listen again on the port at once, although a cut left TIME_WAITs.
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self.port))
            self.port = sock.getsockname()[1]
            self._server = await asyncio.start_server(self._accept, sock=sock)
        return self.port

    async def cut(self) -> None:
        """Stop listening and reset every forwarded connection: the target is unreachable."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        pipes = [pipe for link in self._links for pipe in link.pipes]
        self.reset()
        await asyncio.gather(*pipes, return_exceptions=True)
        if server is not None:
            await server.wait_closed()

    async def close(self) -> None:
        await self.cut()

    def refuse(self) -> None:
        """Drop every new connection the moment it arrives, and reset the open ones."""
        self._refusing = True
        self.reset()

    def restore(self) -> None:
        """Pass new connections again (after :meth:`refuse`)."""
        self._refusing = False

    def reset(self) -> None:
        """Reset every open connection; new ones still pass."""
        for link in list(self._links):
            link.reset()

    def freeze(self) -> None:
        """Keep the open connections open but pass nothing more over them."""
        for link in self._links:
            link.frozen = True

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._refusing:
            self.refused_at.append(time.monotonic())
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            writer.transport.abort()
            return
        link = _Link(writer, up_writer)
        link.pipes = [
            asyncio.create_task(self._pipe(link, reader, up_writer)),
            asyncio.create_task(self._pipe(link, up_reader, writer)),
        ]
        self._links.add(link)
        try:
            await asyncio.gather(*link.pipes, return_exceptions=True)
        finally:
            self._links.discard(link)

    @staticmethod
    async def _pipe(link: _Link, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await source.read(_CHUNK):
                if link.frozen:
                    # Held until the link is reset or the proxy cut: nothing passes, nothing
                    # closes.
                    await asyncio.get_running_loop().create_future()
                sink.write(data)
                await sink.drain()
        # The source closed: close the other side too (after what is buffered is sent), which
        # ends the pipe in the other direction.
        sink.close()
