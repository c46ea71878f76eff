"""Pure ASGI middleware: request ids, body size limit, default response headers, access log
and HTTP metrics.

Written as raw ASGI rather than ``BaseHTTPMiddleware`` because the latter buffers and adds
measurable latency per request, and it cannot limit a streamed body while it is received.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.logging import get_logger, request_id_var
from servicekit.problems import problem_response, unexpected_error_response

REQUEST_ID_HEADER = b"x-request-id"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_VALID_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")

HTTP_REQUESTS = Counter(
    "aos_http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "aos_http_request_duration_seconds",
    "Time to handle an HTTP request, in seconds",
    ["service", "method", "route"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

log = get_logger("servicekit.access")


# Every answer of a service's API, unless the route set its own: answers carry tokens, TOTP
# secrets, pairing codes and credentials, and a shared or browser cache must never keep them;
# browsers must not guess a type other than the declared one (JSON read as HTML).
DEFAULT_RESPONSE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
)


def with_default_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` plus each of :data:`DEFAULT_RESPONSE_HEADERS` they do not already set."""
    out = list(headers)
    present = {name.lower() for name, _ in out}
    out.extend(item for item in DEFAULT_RESPONSE_HEADERS if item[0] not in present)
    return out


def incoming_request_id(scope: Scope) -> str:
    """The caller's X-Request-ID when it is well-formed, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER and _VALID_REQUEST_ID.match(value):
            return str(value.decode())
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Binds a request id, limits the body size, adds the default response headers, logs and
    counts every HTTP request."""

    def __init__(self, app: ASGIApp, *, service: str, max_body_bytes: int) -> None:
        self.app = app
        self.service = service
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = incoming_request_id(scope)
        token = request_id_var.set(rid)
        started = time.perf_counter()
        status_holder: dict[str, Any] = {"status": 500, "started": False}
        try:
            if scope["type"] == "websocket":
                await self.app(scope, receive, send)
                return
            declared = _content_length(scope)
            if declared is not None and declared > self.max_body_bytes:
                await self._too_large(scope, receive, send, status_holder)
                return
            received = 0
            overflowed = False

            async def limited_receive() -> Message:
                # Past the limit the app is told the client left, and whatever it answers is
                # replaced by a 413 below: frameworks turn exceptions raised here into a 400.
                nonlocal received, overflowed
                if overflowed:
                    return {"type": "http.disconnect"}
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > self.max_body_bytes:
                        overflowed = True
                        return {"type": "http.disconnect"}
                return message

            async def send_with_id(message: Message) -> None:
                if overflowed:
                    return
                if message["type"] == "http.response.start":
                    status_holder["status"] = message["status"]
                    status_holder["started"] = True
                    headers = with_default_headers(message.get("headers", []))
                    headers.append((REQUEST_ID_HEADER, rid.encode()))
                    message = {**message, "headers": headers}
                await send(message)

            try:
                await self.app(scope, limited_receive, send_with_id)
            except Exception as exc:
                if overflowed:
                    pass
                elif status_holder["started"]:
                    raise
                else:
                    # Answer here, inside the request context, so the problem (500, or 503
                    # when the database is away) carries the request id and the error is
                    # logged once, with it.
                    response = unexpected_error_response(exc, scope.get("path"))
                    status_holder["status"] = response.status_code
                    await response(scope, receive, send_with_id)
            if overflowed and not status_holder["started"]:
                await self._too_large(scope, receive, send, status_holder)
        finally:
            self._observe(scope, status_holder["status"], time.perf_counter() - started)
            request_id_var.reset(token)

    async def _too_large(
        self, scope: Scope, receive: Receive, send: Send, holder: dict[str, Any]
    ) -> None:
        holder["status"] = 413
        response = problem_response(
            status=413,
            slug="payload-too-large",
            title="Payload too large",
            detail=f"The request body exceeds {self.max_body_bytes} bytes; send a smaller one.",
            instance=scope.get("path"),
        )
        response.headers["x-request-id"] = request_id_var.get() or ""
        response.raw_headers[:] = with_default_headers(response.raw_headers)
        await response(scope, receive, send)

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        if scope["type"] != "http":
            return
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope.get("method", "")
        if method not in KNOWN_METHODS:
            method = "OTHER"  # clients choose the method: keep the label set bounded
        HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
        HTTP_LATENCY.labels(self.service, method, route).observe(seconds)
        if route not in ("/healthz", "/readyz", "/metrics"):
            log.info(
                "request",
                method=method,
                path=scope.get("path"),
                status=status,
                duration_ms=round(seconds * 1000, 2),
            )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
