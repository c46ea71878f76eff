"""HTTP reverse proxy: one request in, one request to the service, both bodies streamed.

Choice of server and upstream client, by measurement
=====================================================
Chosen: a raw ASGI app served by uvicorn (uvloop + httptools), forwarding through
:class:`gateway.upstream_client.UpstreamClient` (keep-alive connections on asyncio protocols,
parsed with httptools). It began as the aiohttp client below; issue 12 profiled the whole gateway
under load (py-spy) and found aiohttp's request machinery the largest part of its own CPU, so the
"minimal httptools client" prototype of the table became the shipped client (see the
``tests/bench/gateway_bench.py`` figures in that change). httpx is used nowhere in the request
path; WebSockets, readiness and OpenAPI fetches still use aiohttp.

The first measurement, which chose the server and the first client:

Measured with wrk (-t1, 5 s per cell, 2 runs each) on the development VM (2 vCPUs shared by
wrk, upstream and proxy, and with other work; Python runs about 2.5x slower here than on a
desktop). The upstream is a servicekit FastAPI app answering ~600 bytes of JSON, 0.38-0.40 ms
p50 direct. Candidates were bare proxies (minimal header handling, streamed bodies, no token check,
no access log); "CPU" is the proxy process's user+system time per request.

    candidate                        added p50, 1 conn   CPU/request   req/s vs direct, 32 conns
    uvicorn ASGI + aiohttp client    +0.46 .. +0.59 ms   435-493 us    0.44-0.55
    uvicorn ASGI + httpx client      +2.0  .. +3.1  ms   1975-2573 us  0.06-0.07
    aiohttp.web + aiohttp client     +0.43 .. +0.47 ms   427-435 us    0.58-0.64
    (uvicorn ASGI + a minimal httptools client, a GET-only prototype, not shipped:
     +0.27 .. +0.33 ms, 232-245 us, 0.73-0.87)

Why: httpx costs 4-5x the CPU of aiohttp per proxied request and collapses under concurrency
(its pool bookkeeping, cf. httpx issue 3215), so it is out. The two servers in front of aiohttp
are equal within this machine's noise; uvicorn + raw ASGI wins on everything else: the
services' stack (same server, same problem rendering from servicekit), ASGI's WebSocket scope
for the coming WebSocket proxy, and no framework routing per request.

The whole gateway (token check from cache, request id, JSON access log, metrics), measured by
``tests/bench/gateway_bench.py`` in the same conditions: +0.65 .. +0.69 ms p50 at 1 connection
with 540-580 us CPU per request; at 32 connections 0.71 of direct req/s on a quiet machine
(0.32 when other work shared the CPUs; nginx fell to 0.67 then). nginx as the reference adds
+0.06 .. +0.10 ms with ~90 us CPU. Caching verified tokens matters most: with the cache off,
verifying the EdDSA token each time (PyJWT) costs another 340-500 us CPU per request and
throughput at 32 connections drops from 0.71 to 0.31 of direct. Most of the remaining cost is
aiohttp's client (see the prototype line): the lever if the 0.5 ms target must hold on this
hardware.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
from starlette.types import Message, Receive, Scope, Send

from gateway.errors import PayloadTooLargeError, UpstreamTimeoutError, UpstreamUnavailableError
from gateway.upstream_client import (
    UpstreamBrokenError,
    UpstreamClient,
    UpstreamConnectError,
    UpstreamResponse,
)
from gateway.upstreams import UpstreamPool
from servicekit.tracing import outgoing_headers

__all__ = [
    "HttpProxy",
    "ProxiedResponse",
    "client_address",
    "forwarded_headers",
    "new_upstream_session",
]

# Hop-by-hop headers (RFC 9110 §7.6.1) and ours to rewrite: never copied from the client.
_REQUEST_DROP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"host",
        b"content-length",  # the body's framing is the upstream client's own
        b"expect",  # uvicorn already answered 100-continue; the body is streamed on
        b"x-request-id",
        b"x-forwarded-for",
        b"x-forwarded-proto",
        b"x-forwarded-host",
        b"x-real-ip",  # the gateway's own: the client address it resolved (client_address)
        b"traceparent",  # the gateway's own span's (servicekit.tracing), not the client's
        b"tracestate",
    }
)
# The same for the service's answer; uvicorn writes its own Date and framing.
_RESPONSE_DROP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"x-request-id",
        b"date",
        b"server",
    }
)
# An answer at most this long (bytes) with a known length is read whole and sent in one piece:
# one ASGI message instead of a stream of them; anything longer or of unknown length streams.
_SMALL_BODY_BYTES = 64 * 1024


def new_upstream_session(
    *, timeout_seconds: float, keepalive_seconds: float, max_connections: int
) -> aiohttp.ClientSession:
    """The keep-alive pool the proxy sends through. Close it at shutdown."""
    connector = aiohttp.TCPConnector(
        limit=max_connections,
        limit_per_host=0,
        keepalive_timeout=keepalive_seconds,
        ttl_dns_cache=60,
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(
            total=None, sock_connect=timeout_seconds, sock_read=timeout_seconds
        ),
        # A proxy passes bodies through as they are and keeps no client state of its own:
        # no decompression, no cookie jar shared between callers, no default headers.
        auto_decompress=False,
        cookie_jar=aiohttp.DummyCookieJar(),
        skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
    )


def client_address(scope: Scope, *, trusted_proxies: frozenset[str]) -> str:
    """The client's IP address: the peer, or, when the peer is a trusted proxy, the nearest
    X-Forwarded-For entry that is not one (a client can prepend anything, but not append).
    """
    client = scope.get("client")
    peer: str = client[0] if client else "unknown"
    trust_all = "*" in trusted_proxies
    if not (trust_all or peer in trusted_proxies):
        return peer
    forwarded_for = b""
    for name, value in scope["headers"]:
        if name == b"x-forwarded-for":
            forwarded_for = value
    hops = [hop.strip() for hop in forwarded_for.decode("latin-1").split(",") if hop.strip()]
    if trust_all:
        return hops[0] if hops else peer
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop
    return peer


def forwarded_headers(
    scope: Scope, *, request_id: str, trusted_proxies: frozenset[str]
) -> list[tuple[bytes, bytes]]:
    """The client's headers for the service: hop-by-hop ones removed, X-Forwarded-* added.

    Headers the client named in ``Connection`` are hop-by-hop too. Authorization is passed on
    unchanged (the service verifies the token again). Host becomes the service's own.
    X-Forwarded-For gets the peer's address appended; X-Forwarded-Proto and -Host are taken
    from the peer only when it is a trusted proxy (a load balancer in front), else they say
    what the gateway itself saw. X-Real-IP is the client address (:func:`client_address`),
    which services use to tell clients apart (identity's login throttle). The trace context
    is the gateway's current span's (servicekit.tracing), never the client's own.
    """
    # Header names from uvicorn are lower case already; values pass as the bytes they came as.
    out: list[tuple[bytes, bytes]] = []
    connection_named: set[bytes] = set()
    forwarded_for = forwarded_proto = forwarded_host = host = b""
    for name, value in scope["headers"]:
        if name in _REQUEST_DROP or name.startswith(b"proxy-"):
            if name == b"connection":
                connection_named.update(part.strip().lower() for part in value.split(b","))
            elif name == b"host":
                host = value
            elif name == b"x-forwarded-for":
                forwarded_for = value
            elif name == b"x-forwarded-proto":
                forwarded_proto = value
            elif name == b"x-forwarded-host":
                forwarded_host = value
            continue
        out.append((name, value))
    if connection_named:
        out = [(k, v) for k, v in out if k not in connection_named]
    client = scope.get("client")
    peer = client[0] if client else "unknown"
    peer_bytes = peer.encode("latin-1")
    trusted = peer in trusted_proxies or "*" in trusted_proxies
    out.append(
        (b"x-forwarded-for", forwarded_for + b", " + peer_bytes if forwarded_for else peer_bytes)
    )
    scheme: str = scope.get("scheme", "http")
    out.append((b"x-forwarded-proto", (trusted and forwarded_proto) or scheme.encode("latin-1")))
    if (trusted and forwarded_host) or host:
        out.append((b"x-forwarded-host", (trusted and forwarded_host) or host))
    address = client_address(scope, trusted_proxies=trusted_proxies)
    out.append((b"x-real-ip", address.encode("latin-1")))
    out.append((b"x-request-id", request_id.encode("latin-1")))
    out.extend(
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in outgoing_headers()
    )
    return out


@dataclass
class ProxiedResponse:
    """What the proxy sent back, for the access log and metrics."""

    status: int = 0
    started: bool = False


def _declared_length(scope: Scope) -> tuple[int | None, bool]:
    """(Content-Length unless the body is chunked, whether the request has a body at all)
    from the request headers."""
    length: int | None = None
    chunked = False
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                length = None
        elif name == b"transfer-encoding":
            chunked = True
    if chunked:
        return None, True
    return length, bool(length)


class _ClientDisconnectedError(Exception):
    """The client went away while its request body was being streamed."""


class _BodyLimit:
    """Counts the streamed request body and notes when it went over the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.exceeded = False

    def too_large(self) -> PayloadTooLargeError:
        self.exceeded = True
        return PayloadTooLargeError(
            f"The request body exceeds {self.limit} bytes; send a smaller one."
        )


class HttpProxy:
    """Forwards one HTTP request to a service and streams its answer back."""

    def __init__(
        self,
        client: UpstreamClient,
        *,
        max_body_bytes: int,
        timeout_seconds: float,
        trusted_proxies: frozenset[str] = frozenset(),
    ) -> None:
        self.client = client
        self.max_body_bytes = max_body_bytes
        self.timeout_seconds = timeout_seconds
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
        result: ProxiedResponse,
    ) -> None:
        """Send the request in ``scope`` to ``target`` (path and query, already encoded) on one
        of the service's base URLs and relay the answer.

        A replica that refuses the connection is marked down and the next is tried: the request
        cannot have reached it. Any other failure is not retried, as the service may have acted.
        Raises PayloadTooLargeError (413), UpstreamUnavailableError (502) and
        UpstreamTimeoutError (504) while nothing has been sent to the client yet; a failure
        after the response started is re-raised as it is, so the server drops the connection
        and the client sees a truncated answer rather than a wrong one.
        """
        limit = _BodyLimit(self.max_body_bytes)
        declared, has_body = _declared_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            raise limit.too_large()
        data: bytes | AsyncIterator[bytes] | None = None
        if has_body:
            data = await self._request_body(receive, limit)
        headers = forwarded_headers(
            scope, request_id=request_id, trusted_proxies=self.trusted_proxies
        )
        service = upstream.service
        candidates = upstream.candidates()
        last = len(candidates) - 1
        for attempt, base_url in enumerate(candidates):
            try:
                response = await self.client.request(
                    base_url,
                    scope["method"],
                    target,
                    headers,
                    data,
                    body_length=declared,
                )
            except UpstreamConnectError as exc:
                # Refused, unreachable or not connected in time: not a byte was sent, body
                # included (a streamed body has not been read from yet), so the next replica
                # may take it.
                upstream.mark_down(base_url, reason=str(exc))
                if attempt < last:
                    continue
                if exc.timed_out:
                    raise UpstreamTimeoutError(
                        f"{service} did not accept a connection within "
                        f"{self.timeout_seconds:g} s; retry shortly."
                    ) from exc
                raise UpstreamUnavailableError(f"{service} is unavailable; retry shortly.") from exc
            except TimeoutError as exc:
                raise UpstreamTimeoutError(
                    f"{service} did not answer within {self.timeout_seconds:g} s; retry shortly."
                ) from exc
            except UpstreamBrokenError as exc:
                raise UpstreamUnavailableError(f"{service} is unavailable; retry shortly.") from exc
            upstream.mark_up(base_url)
            async with response:
                await self._relay(
                    response, send, service=service, request_id=request_id, result=result
                )
            return

    async def _request_body(
        self, receive: Receive, limit: _BodyLimit
    ) -> bytes | AsyncIterator[bytes]:
        """The whole body if it came in one message, else a stream that enforces the limit."""
        first = await receive()
        chunk = first.get("body", b"")
        if len(chunk) > limit.limit:
            raise limit.too_large()
        if not first.get("more_body", False):
            return bytes(chunk)
        return self._stream_body(receive, chunk, limit)

    @staticmethod
    async def _stream_body(
        receive: Receive, first: bytes, limit: _BodyLimit
    ) -> AsyncIterator[bytes]:
        received = len(first)
        if first:
            yield first
        while True:
            message: Message = await receive()
            if message["type"] == "http.disconnect":
                # The client left mid-body: abandon the upstream request.
                raise _ClientDisconnectedError
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit.limit:
                raise limit.too_large()
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return

    async def _relay(
        self,
        upstream: UpstreamResponse,
        send: Send,
        *,
        service: str,
        request_id: str,
        result: ProxiedResponse,
    ) -> None:
        raw = upstream.raw_headers
        drop = _RESPONSE_DROP
        # Names come in lower case from the upstream client.
        for name, value in raw:
            if name == b"connection":
                # Headers named in Connection are hop-by-hop too.
                drop = drop | {part.strip().lower() for part in value.split(b",")}
        headers = [
            (name, value)
            for name, value in raw
            if name not in drop and not name.startswith(b"proxy-")
        ]
        headers.append((b"x-request-id", request_id.encode()))
        result.status = upstream.status
        start = {"type": "http.response.start", "status": upstream.status, "headers": headers}
        length = upstream.content_length
        try:
            if length is not None and length <= _SMALL_BODY_BYTES:
                body = await upstream.read()
                result.started = True
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            result.started = True
            await send(start)
            async for chunk in upstream.iter_chunks():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        except (TimeoutError, UpstreamBrokenError) as exc:
            if result.started:
                raise
            if isinstance(exc, TimeoutError):
                raise UpstreamTimeoutError(
                    f"{service} did not answer within {self.timeout_seconds:g} s; retry shortly."
                ) from exc
            raise UpstreamUnavailableError(f"{service} is unavailable; retry shortly.") from exc
