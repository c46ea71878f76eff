"""WebSocket reverse proxy: one client WebSocket, one WebSocket to the service, messages pumped.

The client is accepted only after the service accepted, with the subprotocol the service chose,
so whatever the service decides at the handshake reaches the client:

- the service answers the handshake with an HTTP status (401, 403, ...): the client gets the
  same status as a denial response (ASGI ``websocket.http.response``, which uvicorn supports),
  or, on a server without that extension, an accepted-then-closed WebSocket with close code
  4000 + status (4401, 4403, ...);
- the service accepts and then closes (say with 4401): the client is accepted and then closed
  with the same code and reason.

Messages (text and binary) are passed on one at a time and each send is awaited, so a slow reader
on either side slows the writer on the other: the gateway holds at most about one message per
direction (``max_message_bytes`` each) plus the transports' small write buffers. Pings are
answered by the servers and aiohttp; idle links are kept alive and dead ones detected by the
heartbeat (aiohttp's on the service leg, uvicorn's on the client leg, same interval).
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from dataclasses import dataclass

import aiohttp
import orjson
from starlette.types import Message, Receive, Scope, Send
from yarl import URL

from gateway.proxy import forwarded_headers
from gateway.upstreams import UpstreamPool

__all__ = [
    "CLOSE_INTERNAL_ERROR",
    "CLOSE_TRY_AGAIN_LATER",
    "CLOSE_UNAUTHORIZED",
    "CLOSE_UNKNOWN_SERVICE",
    "WebSocketProxy",
    "WebSocketSession",
    "refuse",
]

# Close codes the gateway itself sends. 4xxx are application codes (RFC 6455 §7.4.2); by
# convention 4000 + the HTTP status the same refusal would have had.
CLOSE_UNAUTHORIZED = 4401
CLOSE_UNKNOWN_SERVICE = 4404
CLOSE_INTERNAL_ERROR = 1011  # also: the service is down or the link to it broke
CLOSE_TRY_AGAIN_LATER = 1013
_CLOSE_NORMAL = 1000
_CLOSE_GOING_AWAY = 1001
# Reported by servers but never sent on the wire (no status, abnormal closure, TLS failure).
_NOT_ON_THE_WIRE = frozenset({1005, 1006, 1015})
# A close frame's reason has at most 123 bytes of UTF-8.
_MAX_REASON_BYTES = 123
# How long to wait for the other side to answer our close frame.
_CLOSE_TIMEOUT_SECONDS = 5.0
# The client's handshake headers that the service's handshake (made by aiohttp) replaces.
_HANDSHAKE_HEADERS = (b"sec-websocket-",)
_DENIAL_EXTENSION = "websocket.http.response"
_HTTP_SCHEMES = {"ws": "http", "wss": "https"}


@dataclass
class WebSocketSession:
    """What one proxied WebSocket did, for the access log and metrics.

    ``outcome`` is "proxied" (both sides were connected), "refused" (by the gateway or the
    service) or "unavailable" (the service could not be reached). ``status`` is the handshake's
    HTTP status: 101 once the client was accepted (a refusal by close code is accepted first),
    else the status of the denial response (0: the client left before either).
    ``close_code`` is the code the session ended with; ``closed_by`` "client", "service" or
    "gateway". Messages are counted whole (fragments reassembled); sizes are payload bytes of
    binary messages and characters of text messages.
    """

    outcome: str = "refused"
    status: int = 0
    close_code: int | None = None
    closed_by: str = "gateway"
    messages_to_service: int = 0
    messages_to_client: int = 0
    size_to_service: int = 0
    size_to_client: int = 0


@dataclass(frozen=True)
class _Ended:
    code: int
    reason: str
    by: str  # "client" or "service": who ended it (or whose link broke)


async def refuse(send: Send, session: WebSocketSession, *, code: int, reason: str) -> None:
    """Refuse a client WebSocket with a close code it can read.

    ASGI can only refuse a handshake as a bare 403 (or an HTTP denial response, which browsers
    do not show to scripts), so the handshake is accepted and at once closed with ``code``.
    """
    with suppress(OSError):  # uvicorn's ClientDisconnected: no one left to tell
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": code, "reason": _reason(reason)})
    session.status = 101
    session.close_code = code
    session.closed_by = "gateway"


class WebSocketProxy:
    """Connects a client WebSocket to the same path on a service and pumps messages both ways."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        heartbeat_seconds: float,
        max_message_bytes: int,
        trusted_proxies: frozenset[str] = frozenset(),
    ) -> None:
        self.session = session
        self.heartbeat_seconds = heartbeat_seconds
        self.max_message_bytes = max_message_bytes
        self.trusted_proxies = trusted_proxies

    async def forward(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        upstream: UpstreamPool,
        target: str,
        request_id: str,
        session: WebSocketSession,
    ) -> None:
        """Proxy the WebSocket in ``scope`` to ``target`` (path and query, already encoded) on
        one of the service's base URLs; a replica that refuses the connection is marked down and
        the next is tried, so an agent that reconnects after its replica died lands on a live one.

        The caller has received ``websocket.connect`` already. Returns when both sides are
        closed; raises nothing for failures of either peer (they end the session with a close
        code recorded in ``session``).
        """
        service = upstream.service
        headers = [
            # X-Forwarded-Proto names the HTTP scheme the handshake came over.
            (name, _HTTP_SCHEMES.get(value, value) if name == "x-forwarded-proto" else value)
            for name, value in (
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in forwarded_headers(
                    scope, request_id=request_id, trusted_proxies=self.trusted_proxies
                )
                if not name.startswith(_HANDSHAKE_HEADERS)
            )
        ]
        subprotocols: list[str] = list(scope.get("subprotocols") or ())
        try:
            link = await self._connect(upstream, target, headers=headers, protocols=subprotocols)
        except aiohttp.WSServerHandshakeError as exc:
            if 400 <= exc.status < 600:
                await self._deny(
                    scope, send, exc, service=service, request_id=request_id, session=session
                )
                return
            # Something answered, but not as a WebSocket server.
            session.outcome = "unavailable"
            await refuse(
                send,
                session,
                code=CLOSE_INTERNAL_ERROR,
                reason=f"{service} did not accept the WebSocket properly; retry shortly.",
            )
            return
        except (aiohttp.ClientError, TimeoutError, OSError):
            session.outcome = "unavailable"
            await refuse(
                send,
                session,
                code=CLOSE_INTERNAL_ERROR,
                reason=f"{service} is unavailable; retry shortly.",
            )
            return
        try:
            accept: Message = {
                "type": "websocket.accept",
                "headers": [(b"x-request-id", request_id.encode())],
            }
            if link.protocol is not None:
                accept["subprotocol"] = link.protocol
            try:
                await send(accept)
            except OSError:  # uvicorn's ClientDisconnected: the client left during the handshake
                session.closed_by = "client"
                await link.close(code=_CLOSE_GOING_AWAY)
                return
            session.outcome = "proxied"
            session.status = 101
            ended = await self._pump(receive, send, link, session)
            session.closed_by = ended.by
            if ended.by == "client":
                session.close_code = ended.code
                await link.close(code=_to_service(ended.code), message=ended.reason.encode())
            else:
                code = _to_client(ended.code)
                session.close_code = code
                await _close_client(send, code, ended.reason)
        finally:
            await link.close()

    async def _connect(
        self,
        upstream: UpstreamPool,
        target: str,
        *,
        headers: list[tuple[str, str]],
        protocols: list[str],
    ) -> aiohttp.ClientWebSocketResponse:
        """The WebSocket to the first replica that takes the connection.

        Raises what aiohttp raises for the last one tried (a handshake refusal at once: that
        replica answered, and another would answer the same).
        """
        candidates = upstream.candidates()
        last = len(candidates) - 1
        for attempt, base_url in enumerate(candidates):
            try:
                link = await self.session.ws_connect(
                    _ws_url(f"{base_url}{target}"),
                    protocols=protocols,
                    headers=headers,
                    heartbeat=self.heartbeat_seconds or None,
                    max_msg_size=self.max_message_bytes,
                    timeout=aiohttp.ClientWSTimeout(
                        ws_receive=None, ws_close=_CLOSE_TIMEOUT_SECONDS
                    ),
                )
            except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
                # Nothing reached that replica: the handshake may go to the next one.
                upstream.mark_down(base_url, reason=type(exc).__name__)
                if attempt == last:
                    raise
                continue
            upstream.mark_up(base_url)
            return link
        raise AssertionError("an upstream pool has at least one URL")

    async def _pump(
        self,
        receive: Receive,
        send: Send,
        upstream: aiohttp.ClientWebSocketResponse,
        session: WebSocketSession,
    ) -> _Ended:
        """Pass messages both ways until one side ends; the other direction is then stopped."""
        to_service = asyncio.create_task(_client_to_service(receive, upstream, session))
        to_client = asyncio.create_task(_service_to_client(upstream, send, session))
        tasks = {to_service, to_client}
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        # If both ended at once, take the client's account: the client is gone, so the service
        # is the one still to be told.
        first = to_service if to_service in done else to_client
        return first.result()

    @staticmethod
    async def _deny(
        scope: Scope,
        send: Send,
        exc: aiohttp.WSServerHandshakeError,
        *,
        service: str,
        request_id: str,
        session: WebSocketSession,
    ) -> None:
        """Pass the service's refusal of the handshake on with its HTTP status."""
        status = exc.status
        detail = f"{service} refused the WebSocket with HTTP {status}."
        if _DENIAL_EXTENSION not in scope.get("extensions", {}):
            await refuse(send, session, code=4000 + status, reason=detail)
            return
        body = orjson.dumps(
            {
                "type": "/problems/websocket-refused",
                "code": "websocket-refused",
                "title": "WebSocket refused",
                "status": status,
                "detail": detail,
                "instance": scope["path"],
                "request_id": request_id,
            }
        )
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id.encode()),
        ]
        challenge = exc.headers.get("WWW-Authenticate") if exc.headers else None
        if challenge:
            headers.append((b"www-authenticate", challenge.encode("latin-1")))
        with suppress(OSError):  # uvicorn's ClientDisconnected: no one left to tell
            start = {"type": "websocket.http.response.start", "status": status, "headers": headers}
            await send(start)
            await send({"type": "websocket.http.response.body", "body": body})
        session.status = status
        session.closed_by = "service"


async def _client_to_service(
    receive: Receive, upstream: aiohttp.ClientWebSocketResponse, session: WebSocketSession
) -> _Ended:
    while True:
        message = await receive()
        kind = message["type"]
        if kind == "websocket.disconnect":
            code = int(message.get("code") or 1005)
            return _Ended(code, str(message.get("reason") or ""), "client")
        if kind != "websocket.receive":
            continue
        try:
            data: bytes | None = message.get("bytes")
            if data is not None:
                await upstream.send_bytes(data)
                size = len(data)
            else:
                text: str = message.get("text") or ""
                await upstream.send_str(text)
                size = len(text)
        except (aiohttp.ClientError, ConnectionError):
            return _Ended(CLOSE_INTERNAL_ERROR, "The link to the service broke.", "service")
        session.messages_to_service += 1
        session.size_to_service += size


async def _service_to_client(
    upstream: aiohttp.ClientWebSocketResponse, send: Send, session: WebSocketSession
) -> _Ended:
    while True:
        message = await upstream.receive()
        kind = message.type
        if kind is aiohttp.WSMsgType.TEXT:
            outgoing: Message = {"type": "websocket.send", "text": message.data}
        elif kind is aiohttp.WSMsgType.BINARY:
            outgoing = {"type": "websocket.send", "bytes": message.data}
        elif kind is aiohttp.WSMsgType.CLOSE:
            return _Ended(int(message.data), str(message.extra or ""), "service")
        elif kind is aiohttp.WSMsgType.ERROR:
            # aiohttp's WebSocketError carries the close code it used (1009 too large, ...).
            code = getattr(message.data, "code", CLOSE_INTERNAL_ERROR)
            return _Ended(int(code), "The service sent a message the gateway refused.", "service")
        else:  # CLOSING / CLOSED: the link went away (or missed the heartbeat)
            return _Ended(
                upstream.close_code or CLOSE_INTERNAL_ERROR,
                "The link to the service broke.",
                "service",
            )
        try:
            await send(outgoing)
        except OSError:  # uvicorn's ClientDisconnected: the client is gone
            return _Ended(_CLOSE_GOING_AWAY, "", "client")
        session.messages_to_client += 1
        session.size_to_client += len(message.data)


async def _close_client(send: Send, code: int, reason: str) -> None:
    with suppress(OSError):  # the client is gone already
        await send({"type": "websocket.close", "code": code, "reason": _reason(reason)})


def _to_service(code: int) -> int:
    """The client's close code as one that may go on the wire to the service."""
    if code == 1005:
        return _CLOSE_NORMAL
    if code in _NOT_ON_THE_WIRE:
        return _CLOSE_GOING_AWAY
    return code if _sendable(code) else _CLOSE_NORMAL


def _to_client(code: int) -> int:
    """The service's close code as one that may go on the wire to the client."""
    if code in (0, 1005):  # a close frame without a code
        return _CLOSE_NORMAL
    return code if _sendable(code) else CLOSE_INTERNAL_ERROR


def _sendable(code: int) -> bool:
    return (1000 <= code <= 1014 and code not in _NOT_ON_THE_WIRE and code != 1004) or (
        3000 <= code <= 4999
    )


def _reason(reason: str) -> str:
    encoded = reason.encode()
    if len(encoded) <= _MAX_REASON_BYTES:
        return reason
    return encoded[:_MAX_REASON_BYTES].decode(errors="ignore")


def _ws_url(url: str) -> URL:
    if url.startswith("https://"):
        url = "wss://" + url[len("https://") :]
    elif url.startswith("http://"):
        url = "ws://" + url[len("http://") :]
    return URL(url, encoded=True)
