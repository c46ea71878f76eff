"""Run an ASGI app with uvicorn, with limits on what a client may do before the app sees it.

uvicorn (0.54) leaves three holes that a single client can use to hold a worker's connections:

- no limit on the size of the request header block with httptools (``h11_max_incomplete_event_size``
  exists only for h11, and answers a plain-text 400, not 431);
- no timeout on a request's headers: ``timeout_keep_alive`` covers only the idle time between
  requests, a fresh connection has no timer at all, and every byte received resets it;
- no timeout on a request's body: a body shorter than its Content-Length waits forever.

Neither can be fixed in ASGI middleware, which runs only once the headers are parsed. So
:class:`LimitedHttpProtocol` wraps uvicorn's httptools protocol: it counts the header bytes as
they arrive, and arms one deadline for the headers (from the connection, or from the first byte
of a following request) and one for the body (from the end of the headers). Beyond the size it
answers 431, past a deadline 408 (unless the app already started its answer), both as
problem+json with ``Connection: close``, and closes the connection (lingering briefly, so that
the answer is not lost to a reset).
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import Any

import httptools
import orjson
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

__all__ = ["ConnectionLimits", "LimitedHttpProtocol", "WebSocketOptions", "http_protocol"]

# A request line's fixed part ("GET " ... " HTTP/1.1\r\n") and a header line's (": " and CRLF),
# counted so that the limit is on bytes sent, not only on names and values.
_REQUEST_LINE_OVERHEAD = 16
_HEADER_LINE_OVERHEAD = 4
# How long a refused connection is still read (and the bytes dropped) before it is closed.
_LINGER_SECONDS = 2.0


@dataclass(frozen=True)
class ConnectionLimits:
    """What a client may send before the app sees its request.

    ``max_header_bytes``: the request line and header fields together, in bytes (431 beyond).
    ``header_timeout_seconds``: time for a request's headers, from the connection (or the first
    byte of a following request) to their end (408 after). ``body_timeout_seconds``: time for the
    whole body, from the end of the headers (408 after).
    """

    max_header_bytes: int = 16 * 1024
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 30.0


@dataclass(frozen=True)
class WebSocketOptions:
    """How the server holds WebSocket connections (the programming service holds one per
    agent, most of them idle).

    ``per_message_deflate``: accept the client's offer to compress messages. Off by default:
    each connection would keep a zlib compressor and decompressor (tens of KiB) for frames
    that are small protobuf messages. ``max_message_bytes``: largest message accepted (1009
    close beyond). ``ping_interval_seconds``: the server's own keep-alive pings; None leaves
    the detection of dead peers to the application (the programming service closes an agent
    silent for three heartbeat intervals) and to the client's pings.
    """

    per_message_deflate: bool = False
    max_message_bytes: int = 1024 * 1024
    ping_interval_seconds: float | None = 20.0

    def uvicorn_options(self) -> dict[str, Any]:
        """Keyword arguments of ``uvicorn.run`` / ``uvicorn.Config``."""
        return {
            # Sans-I/O: per connection a protocol object, a queue and timers, no extra tasks.
            "ws": "websockets-sansio",
            "ws_per_message_deflate": self.per_message_deflate,
            "ws_max_size": self.max_message_bytes,
            "ws_ping_interval": self.ping_interval_seconds,
            "ws_ping_timeout": self.ping_interval_seconds,
        }


class _HeadersTooLargeError(Exception):
    """Raised from a parser callback to stop parsing; caught in ``data_received``."""


class LimitedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header size limit and header/body deadlines."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        limits: ConnectionLimits,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = limits
        self._deadline: asyncio.TimerHandle | None = None
        # True while the parser is inside a request's headers or waiting for the next request;
        # the bytes received meanwhile are counted against the header limit.
        self._in_headers = True
        self._header_bytes = 0
        # True from a request's first byte to its end (parser callbacks).
        self._message_begun = False
        self._refused = False

    # Connection events

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # A connection that never sends a complete request is timed out like slow headers.
        self._arm(self.limits.header_timeout_seconds)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._in_headers:
            self._header_bytes += len(data)
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            if isinstance(exc.__context__, _HeadersTooLargeError):
                self._refuse(431)
                return
            self._bad_request()
            return
        except httptools.HttpParserError:
            self._bad_request()
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        # Still in the headers after this chunk: the chunk was all header bytes, so the count is
        # exact; refuse before the parser buffers more of them.
        if self._in_headers and self._header_bytes > self.limits.max_header_bytes:
            self._refuse(431)

    def handle_websocket_upgrade(self) -> None:
        # From here the WebSocket protocol owns the connection; it has its own heartbeat.
        self._disarm()
        super().handle_websocket_upgrade()

    # Parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._message_begun = True
        if self._deadline is None:  # a following request on a kept-alive connection
            self._arm(self.limits.header_timeout_seconds)

    def on_headers_complete(self) -> None:
        size = _REQUEST_LINE_OVERHEAD + len(self.url)
        size += sum(len(n) + len(v) + _HEADER_LINE_OVERHEAD for n, v in self.headers)
        if size > self.limits.max_header_bytes:
            raise _HeadersTooLargeError
        self._in_headers = False
        self._arm(self.limits.body_timeout_seconds)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        # Bytes from here on belong to the next request's headers.
        self._message_begun = False
        self._in_headers = True
        self._header_bytes = 0
        super().on_message_complete()

    # Refusals

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._on_deadline)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _on_deadline(self) -> None:
        self._deadline = None
        if self._refused or self.transport.is_closing():
            return
        if not self._message_begun:
            # Not a byte of a request (a fresh connection left idle): nothing to answer.
            self.transport.close()
            return
        # In the headers: an earlier pipelined request's answer may still be being written. In
        # the body: the app may answer already without waiting for it. Either way a 408 now
        # would corrupt an answer.
        answering = self.cycle is not None and not self.cycle.response_complete
        if answering and (self._in_headers or self.cycle.response_started):
            self.transport.close()
            return
        self._refuse(408)

    def _bad_request(self) -> None:
        self.logger.warning("Invalid HTTP request received.")
        self._write_problem(400, "bad-request", "Bad request", "The request is not valid HTTP/1.1.")

    def _refuse(self, status: int) -> None:
        if status == 431:
            limit = self.limits.max_header_bytes
            self._write_problem(
                431,
                "request-header-too-large",
                "Request header fields too large",
                f"The request line and headers exceed {limit} bytes; send smaller headers.",
            )
        else:
            stage = "headers" if self._in_headers else "body"
            seconds = (
                self.limits.header_timeout_seconds
                if self._in_headers
                else self.limits.body_timeout_seconds
            )
            self._write_problem(
                408,
                "request-timeout",
                "Request timeout",
                f"The request {stage} did not arrive within {seconds:g} seconds; "
                "send the whole request at once and retry.",
            )

    def _write_problem(self, status: int, slug: str, title: str, detail: str) -> None:
        # Whatever arrives after this is dropped unparsed (see _close_lingering).
        self._refused = True
        self._disarm()
        body = orjson.dumps(
            {
                "type": f"/problems/{slug}",
                "code": slug,
                "title": title,
                "status": status,
                "detail": detail,
            }
        )
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head.extend([name, b": ", value, b"\r\n"])
        head.extend(
            [
                b"content-type: application/problem+json\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"connection: close\r\n\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(head))
        self._close_lingering()
        if self.cycle is not None and not self.cycle.response_complete:
            # The app may be waiting for the rest of the body: tell it the client is gone.
            self.cycle.disconnected = True
            self.cycle.message_event.set()

    def _close_lingering(self) -> None:
        """Close after the answer, without losing it to a reset.

        Closing a socket that still has unread bytes (a client halfway through sending 8 MB of
        headers) sends a TCP reset, and the client's stack may drop our answer with it. So only
        our side is shut (FIN after the answer), what else arrives is read and dropped
        (``data_received`` ignores it once refused), and the connection is closed when the
        client closes its side (``eof_received``) or after :data:`_LINGER_SECONDS`.
        """
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self.loop.call_later(_LINGER_SECONDS, self.transport.close)


def http_protocol(limits: ConnectionLimits) -> Any:
    """uvicorn's ``http=`` for these limits: a picklable factory, so ``workers > 1`` works."""
    return functools.partial(LimitedHttpProtocol, limits=limits)
