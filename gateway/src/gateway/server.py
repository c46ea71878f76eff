"""The gateway's HTTP server protocol: servicekit's limited httptools protocol, with each
response's head written together with its body.

uvicorn writes an answer's status line and headers as soon as the app sends
``http.response.start``, and the body with the next message: two writes, so two ``send``
system calls and two TCP segments for an answer that fits in one. Every proxied answer up to
64 KiB is sent as exactly those two messages (gateway.proxy), so the head is held back and goes
out with the first piece of the body (or alone when there is none: a HEAD request, a 204, an
answer abandoned before its body). The bytes on the wire are the same, in the same order.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import RequestResponseCycle

from servicekit.server import ConnectionLimits, LimitedHttpProtocol

__all__ = ["GatewayHttpProtocol", "gateway_http_protocol"]

# States of a _HeadWithBody
_BEFORE_HEAD, _HEAD_HELD, _PASSING = 0, 1, 2


class _HeadWithBody:
    """The connection's transport as one request's cycle sees it.

    The first write after the response started is its head: it is held, and written in one
    piece with the next write (the body), or on its own when the response completes or the
    connection is closed without one. Writes before the response started (``100 Continue``)
    and after the head pass straight through.
    """

    __slots__ = ("_cycle", "_head", "_on_response", "_state", "_transport")

    def __init__(self, transport: asyncio.Transport, cycle: RequestResponseCycle) -> None:
        self._transport = transport
        self._cycle = cycle
        self._head = b""
        self._state = _BEFORE_HEAD
        # uvicorn calls this when the response is complete: the head must be out by then.
        self._on_response: Callable[[], None] = cycle.on_response
        cycle.on_response = self._completed

    def write(self, data: bytes) -> None:
        state = self._state
        if state == _HEAD_HELD:
            data = self._head + data
            self._head = b""
            self._state = _PASSING
        elif state == _BEFORE_HEAD and self._cycle.response_started:
            self._head = data
            self._state = _HEAD_HELD
            return
        self._transport.write(data)

    def flush(self) -> None:
        if self._state == _HEAD_HELD:
            self._state = _PASSING
            head, self._head = self._head, b""
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        # Anything else a cycle might ask of its transport is the connection's own.
        return getattr(self._transport, name)

    def _completed(self) -> None:
        self.flush()
        self._on_response()


class GatewayHttpProtocol(LimitedHttpProtocol):
    """servicekit's protocol (header limit and deadlines), writing each head with its body."""

    def on_headers_complete(self) -> None:
        before = self.cycle
        super().on_headers_complete()
        cycle = self.cycle
        # A WebSocket upgrade makes no cycle; a new one has not run yet (its task is only
        # scheduled, or queued behind a pipelined request), so its transport can be swapped.
        if cycle is not None and cycle is not before:
            cycle.transport = _HeadWithBody(self.transport, cycle)  # type: ignore[assignment]


def gateway_http_protocol(limits: ConnectionLimits) -> Any:
    """uvicorn's ``http=``: a picklable factory, so ``workers > 1`` works."""
    return functools.partial(GatewayHttpProtocol, limits=limits)
