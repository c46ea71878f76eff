"""The HTTP/1.1 client the proxy forwards through: keep-alive connections parsed with httptools.

Why not aiohttp's client here: profiled under load (``tests/bench/gateway_bench.py``, py-spy),
aiohttp's request machinery (request and response objects, header multidicts, its writer,
timers per request) was the largest part of the gateway's own CPU per proxied request. The proxy
needs far less: send a head it has already built, stream bytes both ways, read the status and
raw headers. This client does that on an asyncio protocol per connection, with the same parser
uvicorn uses (httptools), writing a request's head and a small body in one write. WebSockets, the
readiness checks and the OpenAPI fetches still use aiohttp (not on the hot path).

Errors: :class:`UpstreamConnectError` when no connection could be made (nothing was sent, so a
caller may try another replica); :class:`UpstreamBrokenError` when the connection broke after
the request started; ``TimeoutError`` when the service is silent for ``read_timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable
from typing import cast
from urllib.parse import urlsplit

import httptools

__all__ = [
    "UpstreamBrokenError",
    "UpstreamClient",
    "UpstreamConnectError",
    "UpstreamResponse",
]

# The response body kept in memory per connection before reading from the service pauses.
_READ_BUFFER_BYTES = 256 * 1024
_NO_BODY_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class UpstreamConnectError(Exception):
    """No connection to the service: refused, unreachable or not made in time. Nothing was sent."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


class UpstreamBrokenError(Exception):
    """The connection to the service broke or the service sent something that is not HTTP."""


class _Origin:
    """Scheme, host and port of a base URL, and the Host header for it."""

    __slots__ = ("host", "host_header", "key", "port", "tls")

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.tls = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.tls else 80)
        self.host_header = parts.netloc.rpartition("@")[2].encode("latin-1")
        self.key = (self.tls, self.host, self.port)


class _Connection(asyncio.Protocol):
    """One keep-alive connection to a service; parses one response at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self._parser = httptools.HttpResponseParser(self)
        self._error: BaseException | None = None
        self._write_paused = False
        self._drained: asyncio.Future[None] | None = None
        self._reset()

    def _reset(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.content_length: int | None = None
        self.headers_done = False
        self.complete = False
        self.keep_alive = False
        # A streamed request body: None while it is being written, then True, or what failed.
        self.body_sent: bool | None = True
        self.body_error: BaseException | None = None
        self._chunks: collections.deque[bytes] = collections.deque()
        self._buffered = 0
        self._reading_paused = False
        self._waiter: asyncio.Future[None] | None = None

    # --- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not subclasses of asyncio.Transport, but behave as one.
        self.transport = cast(asyncio.Transport, transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # not TCP: nothing to tune
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(UpstreamBrokenError("the service switched protocols on a plain request"))
        except httptools.HttpParserError as exc:
            self._fail(UpstreamBrokenError(f"the service sent invalid HTTP: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.complete:
            self._fail(exc or UpstreamBrokenError("the service closed the connection"))
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    # --- httptools callbacks ------------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        # Names in lower case, once here: the proxy compares them, uvicorn writes them so.
        name = name.lower()
        self.headers.append((name, value))
        if name == b"content-length":
            try:
                self.content_length = int(value)
            except ValueError:
                self.content_length = None

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200:
            # An interim answer (103 Early Hints, a stray 100): the real one follows.
            self.headers = []
            self.content_length = None
            return
        self.status = status
        self.headers_done = True
        self._wake()

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)
        self._buffered += len(body)
        if self._buffered > _READ_BUFFER_BYTES and not self._reading_paused:
            self._reading_paused = True
            assert self.transport is not None
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if not self.headers_done:
            return  # the end of an interim answer
        # Asked now: once the message is over the parser answers for the next one.
        self.keep_alive = self._parser.should_keep_alive()
        self.complete = True
        self._wake()

    # --- for the client -----------------------------------------------------------------------

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _fail(self, exc: BaseException) -> None:
        if self._error is None:
            self._error = exc
        self._wake()
        if self.transport is not None:
            self.transport.close()

    def _raise_error(self) -> None:
        error = self._error
        if isinstance(error, UpstreamBrokenError):
            raise error
        raise UpstreamBrokenError(f"the connection to the service broke: {error!r}") from error

    async def wait(self, seconds: float | None) -> None:
        """Until something new arrived (headers, body, the end), the request body was sent or
        failed, or the connection failed; TimeoutError after ``seconds`` without."""
        if self._error is not None:
            self._raise_error()
        waiter = self._waiter = self._loop.create_future()
        handle = None if seconds is None else self._loop.call_later(seconds, _expire, waiter)
        try:
            await waiter
        finally:
            if handle is not None:
                handle.cancel()
            self._waiter = None
        if self._error is not None and not self.complete:
            self._raise_error()

    def take(self) -> bytes:
        """The body received so far (and resume reading if it had paused)."""
        chunks = self._chunks
        data = chunks.popleft() if len(chunks) == 1 else b"".join(chunks)
        chunks.clear()
        self._buffered = 0
        if self._reading_paused and self.transport is not None:
            self._reading_paused = False
            self.transport.resume_reading()
        return data

    @property
    def has_body(self) -> bool:
        return bool(self._chunks)

    async def drain(self) -> None:
        if self._write_paused and not self.closed:
            self._drained = self._loop.create_future()
            await self._drained
        if self.closed:
            raise UpstreamBrokenError("the service closed the connection")

    def write(self, data: bytes) -> None:
        if self.closed or self.transport is None:
            raise UpstreamBrokenError("the service closed the connection")
        self.transport.write(data)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class UpstreamResponse:
    """A service's answer: status and headers (names in lower case) now, the body read or
    streamed after.

    Always end with :meth:`release` (``async with`` does it): a connection whose answer was
    read to its end goes back to the pool, any other is closed.
    """

    def __init__(
        self,
        client: UpstreamClient,
        connection: _Connection,
        origin: _Origin,
        *,
        head: bool,
        body_writer: asyncio.Task[None] | None,
    ) -> None:
        self._client = client
        self._connection = connection
        self._origin = origin
        self._head = head
        self._body_writer = body_writer
        self._released = False
        self.status = connection.status
        self.raw_headers = connection.headers
        self.content_length = connection.content_length

    async def read(self) -> bytes:
        """The whole body."""
        parts = [chunk async for chunk in self.iter_chunks()]
        return parts[0] if len(parts) == 1 else b"".join(parts)

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        """The body as it arrives; raises TimeoutError after read_timeout without data."""
        connection = self._connection
        if self._head:
            return  # an answer to HEAD has no body, whatever its Content-Length says
        while True:
            if connection.has_body:
                yield connection.take()
                continue
            if connection.complete:
                return
            await connection.wait(self._client.read_timeout)

    async def __aenter__(self) -> UpstreamResponse:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.release()

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        connection = self._connection
        writer = self._body_writer
        # httptools cannot be told that an answer to HEAD has no body, so that connection is
        # not used again; nor one whose request body did not go out whole.
        reusable = (
            not self._head
            and connection.complete
            and not connection.closed
            and not connection.has_body
            and connection.body_sent is True
            and connection.keep_alive
        )
        if writer is not None and not writer.done():
            writer.cancel()
        self._client._release(self._origin, connection, reusable=reusable)


class UpstreamClient:
    """Keep-alive connections to the services, at most ``max_connections`` open (0: no limit)."""

    def __init__(
        self,
        *,
        connect_timeout: float,
        read_timeout: float,
        keepalive_seconds: float,
        max_connections: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.keepalive_seconds = keepalive_seconds
        self.max_connections = max_connections
        self._clock = clock
        self._idle: dict[tuple[bool, str, int], list[_Connection]] = {}
        self._origins: dict[str, _Origin] = {}
        self._open = 0
        self._slot_waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._ssl: ssl.SSLContext | None = None

    async def request(
        self,
        base_url: str,
        method: str,
        target: str,
        headers: list[tuple[bytes, bytes]],
        body: bytes | AsyncIterator[bytes] | None,
        *,
        body_length: int | None = None,
    ) -> UpstreamResponse:
        """Send ``method target`` to the service at ``base_url``; return once its status and
        headers arrived.

        ``headers`` are sent as they are, after Host; the body framing is this client's:
        Content-Length for bytes, for a stream ``body_length`` if the client declared one, else
        chunked. Raises UpstreamConnectError (nothing sent), UpstreamBrokenError, TimeoutError,
        and whatever the body stream raises.
        """
        origin = self._origins.get(base_url)
        if origin is None:
            origin = self._origins[base_url] = _Origin(base_url)
        head = [
            method.encode("ascii"),
            b" ",
            target.encode("latin-1"),
            b" HTTP/1.1\r\nhost: ",
            origin.host_header,
            b"\r\n",
        ]
        for name, value in headers:
            head += (name, b": ", value, b"\r\n")
        streamed: AsyncIterator[bytes] | None = None
        if isinstance(body, bytes):
            if body or method not in _NO_BODY_METHODS:
                head.append(b"content-length: %d\r\n" % len(body))
            head += (b"\r\n", body)
        elif body is None:
            if method not in _NO_BODY_METHODS:
                head.append(b"content-length: 0\r\n")
            head.append(b"\r\n")
        else:
            streamed = body
            if body_length is not None:
                head.append(b"content-length: %d\r\n\r\n" % body_length)
            else:
                head.append(b"transfer-encoding: chunked\r\n\r\n")
        data = b"".join(head)
        connection = await self._acquire(origin)
        writer: asyncio.Task[None] | None = None
        try:
            connection.write(data)
            if streamed is not None:
                connection.body_sent = None
                writer = asyncio.ensure_future(
                    _write_body(connection, streamed, chunked=body_length is None)
                )
            await self._wait_for_headers(connection)
        except BaseException:
            if writer is not None and not writer.done():
                writer.cancel()
            self._release(origin, connection, reusable=False)
            raise
        return UpstreamResponse(self, connection, origin, head=method == "HEAD", body_writer=writer)

    async def _wait_for_headers(self, connection: _Connection) -> None:
        # While a streamed body goes out, the service may answer early (say a 413 of its own);
        # a failure of the body stream (the client left, the body is too large) ends it all.
        # The read timeout counts from the end of the body.
        while not connection.headers_done:
            if connection.body_error is not None:
                raise connection.body_error
            writing = connection.body_sent is None
            await connection.wait(None if writing else self.read_timeout)

    async def _acquire(self, origin: _Origin) -> _Connection:
        """An idle kept-alive connection to ``origin``, else a new one once there is room."""
        while True:
            connection = self._idle_connection(origin)
            if connection is not None:
                return connection
            if not self.max_connections or self._open < self.max_connections:
                return await self._connect(origin)
            # Full: an idle connection to another service makes room, else wait for one.
            oldest = min(
                (c for pool in self._idle.values() for c in pool),
                key=lambda c: c.idle_since,
                default=None,
            )
            if oldest is not None:
                for pool in self._idle.values():
                    if oldest in pool:
                        pool.remove(oldest)
                self._discard(oldest)
                continue
            room = asyncio.get_running_loop().create_future()
            self._slot_waiters.append(room)
            await room

    def _idle_connection(self, origin: _Origin) -> _Connection | None:
        idle = self._idle.get(origin.key)
        if not idle:
            return None
        now = self._clock()
        while idle:
            connection = idle.pop()
            if connection.closed or now - connection.idle_since > self.keepalive_seconds:
                self._discard(connection)
                continue
            connection._reset()
            return connection
        return None

    async def _connect(self, origin: _Origin) -> _Connection:
        self._open += 1
        loop = asyncio.get_running_loop()
        connection = _Connection(loop)
        try:
            async with asyncio.timeout(self.connect_timeout):
                await loop.create_connection(
                    lambda: connection,
                    origin.host,
                    origin.port,
                    ssl=self._tls() if origin.tls else None,
                )
        except TimeoutError as exc:
            self._free_slot()
            raise UpstreamConnectError(
                f"no connection within {self.connect_timeout:g} s", timed_out=True
            ) from exc
        except OSError as exc:
            self._free_slot()
            raise UpstreamConnectError(str(exc)) from exc
        except BaseException:
            self._free_slot()
            raise
        return connection

    def _tls(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl

    def _free_slot(self) -> None:
        self._open -= 1
        self._wake_one()

    def _wake_one(self) -> None:
        """Wake a request waiting for room (a connection closed or went idle)."""
        while self._slot_waiters:
            room = self._slot_waiters.popleft()
            if not room.done():
                room.set_result(None)
                return

    def _discard(self, connection: _Connection) -> None:
        connection.close()
        self._free_slot()

    def _release(self, origin: _Origin, connection: _Connection, *, reusable: bool) -> None:
        if reusable and not connection.closed:
            connection.idle_since = self._clock()
            self._idle.setdefault(origin.key, []).append(connection)
            if self._slot_waiters:
                self._wake_one()
            return
        self._discard(connection)

    async def close(self) -> None:
        """Close every idle connection (those in use are closed as their answers end)."""
        for pool in self._idle.values():
            for connection in pool:
                connection.close()
            pool.clear()


async def _write_body(
    connection: _Connection, body: AsyncIterator[bytes], *, chunked: bool
) -> None:
    """Send a streamed request body; notes on ``connection`` when it is sent or what failed."""
    try:
        async for chunk in body:
            if not chunk:
                continue
            await connection.drain()
            connection.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        if chunked:
            connection.write(b"0\r\n\r\n")
        await connection.drain()
    except asyncio.CancelledError:
        connection.body_sent = False
        raise
    except (UpstreamBrokenError, OSError):
        # The service stopped reading (it may have answered already, say with a 413 of its
        # own): its answer, or the broken connection, is what the caller gets.
        connection.body_sent = False
        connection._wake()
        return
    except BaseException as exc:
        connection.body_sent = False
        connection.body_error = exc
        connection._wake()
        return
    connection.body_sent = True
    connection._wake()
