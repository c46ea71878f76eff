"""The gateway's span per request: the service continues it, and a caller's own trace context is
continued only from a trusted proxy."""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from gateway.proxy import forwarded_headers
from servicekit.tracing import configure_tracing

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"
CALLER = {"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01", "tracestate": "vendor=caller"}


def ids(span: ReadableSpan) -> tuple[str, str]:
    context = span.get_span_context()
    assert context is not None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def parent_of(span: ReadableSpan) -> str | None:
    return format(span.parent.span_id, "016x") if span.parent is not None else None


def traceparent_ids(value: str) -> tuple[str, str]:
    _version, trace_id, span_id, _flags = value.split("-")
    return trace_id, span_id


async def test_the_service_continues_the_gateways_span_of_a_trusted_callers_trace(
    start_gateway: Any, auth: dict[str, str]
) -> None:
    async with start_gateway() as gateway:  # 127.0.0.1, the test client, is trusted
        exporter = InMemorySpanExporter()
        configure_tracing(service="gateway", exporter=exporter)
        try:
            response = await gateway.get("/api/billing/orders", headers={**auth, **CALLER})
        finally:
            configure_tracing(service="test")
    assert response.status_code == 200
    [edge] = [s for s in exporter.get_finished_spans() if s.name == "GET /api/billing"]
    [service] = [s for s in exporter.get_finished_spans() if s.name == "GET /orders"]
    assert edge.name == "GET /api/billing"
    assert ids(edge)[0] == CALLER_TRACE
    assert parent_of(edge) == CALLER_SPAN
    # The service got the gateway's span as its parent, not the caller's span.
    seen = response.json()["headers"]
    assert traceparent_ids(seen["traceparent"]) == ids(edge)
    assert ids(service)[0] == CALLER_TRACE
    assert parent_of(service) == ids(edge)[1]


async def test_an_untrusted_callers_trace_context_starts_a_new_trace(
    start_gateway: Any, auth: dict[str, str]
) -> None:
    async with start_gateway(trusted_proxies="192.0.2.10") as gateway:
        exporter = InMemorySpanExporter()
        configure_tracing(service="gateway", exporter=exporter)
        try:
            response = await gateway.get("/api/billing/orders", headers={**auth, **CALLER})
        finally:
            configure_tracing(service="test")
    assert response.status_code == 200
    [edge] = [s for s in exporter.get_finished_spans() if s.name == "GET /api/billing"]
    assert edge.parent is None
    assert ids(edge)[0] != CALLER_TRACE
    seen = response.json()["headers"]
    assert traceparent_ids(seen["traceparent"]) == ids(edge)
    assert "tracestate" not in seen  # the caller's is not passed on either


async def test_requests_to_unknown_paths_get_a_span_without_the_path_in_its_name(
    start_gateway: Any,
) -> None:
    async with start_gateway() as gateway:
        exporter = InMemorySpanExporter()
        configure_tracing(service="gateway", exporter=exporter)
        try:
            response = await gateway.get("/api/no-such-service/x/1234")
        finally:
            configure_tracing(service="test")
    assert response.status_code == 404
    [edge] = exporter.get_finished_spans()
    assert edge.kind == SpanKind.SERVER
    assert edge.name == "GET"
    assert edge.attributes is not None
    assert edge.attributes["http.response.status_code"] == 404


async def test_the_access_log_line_carries_the_requests_trace_id(
    start_gateway: Any, auth: dict[str, str], capfd: Any
) -> None:
    async with start_gateway() as gateway:
        exporter = InMemorySpanExporter()
        configure_tracing(service="gateway", exporter=exporter)
        try:
            response = await gateway.get(
                "/api/billing/orders", headers={**auth, **CALLER, "x-request-id": "trace-log-1"}
            )
        finally:
            configure_tracing(service="test")
    assert response.status_code == 200
    [edge] = [s for s in exporter.get_finished_spans() if s.name == "GET /api/billing"]
    lines = [line for line in capfd.readouterr().err.splitlines() if "trace-log-1" in line]
    # The gateway's line (the test services in this process log the same request id).
    access = [line for line in lines if '"path":"/api/billing/orders"' in line]
    assert access, lines
    assert f'"trace_id":"{CALLER_TRACE}"' in access[0]
    assert f'"span_id":"{ids(edge)[1]}"' in access[0]


async def test_forwarded_headers_drop_the_clients_trace_context_outside_a_span() -> None:
    # A WebSocket handshake has no span: the filter still drops what the client sent.
    scope = {
        "type": "websocket",
        "headers": [(b"traceparent", CALLER["traceparent"].encode()), (b"x-custom", b"kept")],
        "client": ("127.0.0.1", 5000),
        "scheme": "ws",
    }
    headers = dict(forwarded_headers(scope, request_id="r", trusted_proxies=frozenset()))
    assert b"traceparent" not in headers
    assert headers[b"x-custom"] == b"kept"
