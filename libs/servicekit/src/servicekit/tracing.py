"""OpenTelemetry tracing: spans from the gateway through the services, the outbox and Kafka.

One tracer provider per process (:func:`configure_tracing`, from the service's settings). The
W3C trace context travels as ``traceparent`` / ``tracestate``: in HTTP request headers
(gateway → service), on the outbox row that recorded an event (the transaction's context,
:func:`current_carrier`), and in the Kafka headers the relay writes (:func:`start_producer_span`),
from which the consumer continues the trace (:func:`consumer_span`).

Export is off unless an OTLP/HTTP endpoint is set. Spans and trace ids exist either way, so
the logs carry ``trace_id`` and the trace context still reaches the next process; without an
exporter spans are not recorded (their ``traceparent`` says "not sampled").

Why no instrumentation packages: the server span is a dozen lines of raw ASGI here
(:class:`TracingMiddleware`), one span per request and nothing per ASGI message, and the same
class serves the gateway, whose hot path is measured per microsecond.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased, TraceIdRatioBased
from opentelemetry.trace import (
    NonRecordingSpan,
    Span,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
    TraceState,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "TRACE_HEADERS",
    "UNTRACED_PATHS",
    "TracingMiddleware",
    "configure_tracing",
    "consumer_span",
    "context_from",
    "current_carrier",
    "outgoing_headers",
    "start_producer_span",
    "tracer",
    "within_trace_of",
]

TRACE_HEADERS = ("traceparent", "tracestate")
UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_TRACE_HEADER_BYTES = frozenset(name.encode() for name in TRACE_HEADERS)
_PROPAGATOR = TraceContextTextMapPropagator()
_INSTRUMENTATION = "aos.servicekit"
EXPORT_TIMEOUT_SECONDS = 5.0
# Where the OTLP/HTTP exporter posts, below the collector's base URL (the OTLP convention).
_TRACES_PATH = "/v1/traces"


def _provider_for(
    *, service: str, version: str, environment: str, sample_ratio: float, exporting: bool
) -> TracerProvider:
    # Resource(...) rather than Resource.create(): create() reads OTEL_* from os.environ, and
    # settings are read in one place only.
    resource = Resource(
        {
            "service.name": service,
            "service.version": version,
            "deployment.environment.name": environment,
        }
    )
    # A caller's decision (the sampled flag of its traceparent) is kept, so a trace is whole or
    # absent; only where a trace starts does the ratio decide. With nothing to export, no span
    # is recorded at all: each still has its ids (for the logs and the next process), at about
    # a third of a recorded span's cost on the gateway's path. The endpoint is one setting for
    # the whole deployment, so no process records what another would have to continue.
    sampler = ParentBased(TraceIdRatioBased(sample_ratio)) if exporting else ALWAYS_OFF
    return TracerProvider(resource=resource, sampler=sampler, shutdown_on_exit=False)


_provider: TracerProvider = _provider_for(
    service="unconfigured",
    version="0",
    environment="development",
    sample_ratio=1.0,
    exporting=False,
)
# Kept with its provider: get_tracer() costs more than a span.
_tracer: trace.Tracer = _provider.get_tracer(_INSTRUMENTATION)


def configure_tracing(
    *,
    service: str,
    version: str = "0",
    environment: str = "development",
    otlp_endpoint: str = "",
    sample_ratio: float = 1.0,
    exporter: SpanExporter | None = None,
) -> TracerProvider:
    """Make a fresh provider this process's; the previous one is flushed and shut down.

    ``otlp_endpoint`` is the collector's base URL (``http://collector:4318``); empty exports
    nothing. ``exporter`` replaces the OTLP one and sends each span as it ends (tests).
    """
    global _provider, _tracer
    processor: SpanProcessor | None = None
    if exporter is not None:
        processor = SimpleSpanProcessor(exporter)
    elif otlp_endpoint:
        # Imported here: its HTTP stack is loaded only where spans are sent.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = otlp_endpoint.rstrip("/")
        if not endpoint.endswith(_TRACES_PATH):
            endpoint += _TRACES_PATH
        # Explicit values, not the SDK's OTEL_BSP_* variables. A collector that is away costs
        # at most EXPORT_TIMEOUT_SECONDS per batch (then the batch is dropped, never the
        # request), also when the process ends and flushes what it holds.
        processor = BatchSpanProcessor(
            OTLPSpanExporter(endpoint=endpoint, timeout=EXPORT_TIMEOUT_SECONDS),
            max_queue_size=2048,
            schedule_delay_millis=5000,
            max_export_batch_size=512,
            export_timeout_millis=EXPORT_TIMEOUT_SECONDS * 1000,
        )
    provider = _provider_for(
        service=service,
        version=version,
        environment=environment,
        sample_ratio=sample_ratio,
        exporting=processor is not None,
    )
    if processor is not None:
        provider.add_span_processor(processor)
    previous, _provider = _provider, provider
    _tracer = provider.get_tracer(_INSTRUMENTATION)
    previous.shutdown()
    return provider


@atexit.register
def _flush_at_exit() -> None:
    # Spans still queued in the batch processor are sent before the process ends.
    _provider.shutdown()


def tracer() -> trace.Tracer:
    """The tracer of this process's current provider."""
    return _tracer


# Carriers: the trace context as headers


def current_carrier() -> dict[str, str] | None:
    """``{"traceparent": ..., "tracestate": ...}`` of the current span; None outside any."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    # What TraceContextTextMapPropagator.inject writes, without its generic carrier setter:
    # this runs for every proxied request and every recorded event.
    ids = f"{context.trace_id:032x}-{context.span_id:016x}"
    carrier = {"traceparent": f"00-{ids}-{context.trace_flags:02x}"}
    if context.trace_state:
        carrier["tracestate"] = context.trace_state.to_header()
    return carrier


def context_from(carrier: Mapping[str, str] | None) -> otel_context.Context | None:
    """The context a carrier names (a stored one, or received headers); None for none or a
    malformed one, so that the caller starts a new trace."""
    if not carrier:
        return None
    fast = _parse_traceparent(carrier.get("traceparent", ""), carrier.get("tracestate"))
    if fast is not None:
        return fast
    # Anything else (a later version's extra fields, or nothing valid): the full parser.
    extracted = _PROPAGATOR.extract(carrier)
    if not trace.get_current_span(extracted).get_span_context().is_valid:
        return None
    return extracted


def _parse_traceparent(traceparent: str, tracestate: str | None) -> otel_context.Context | None:
    """The usual ``00-<trace id>-<span id>-<flags>`` read without the propagator's regular
    expressions (every request a service gets has one); None for any other shape."""
    if len(traceparent) != 55 or not traceparent.startswith("00-"):
        return None
    if traceparent != traceparent.lower():
        return None  # W3C hex is lowercase; the full parser refuses it
    _, trace_hex, span_hex, flags_hex = traceparent.split("-", 3)
    try:
        trace_id, span_id, flags = int(trace_hex, 16), int(span_hex, 16), int(flags_hex, 16)
    except ValueError:
        return None
    if (
        len(trace_hex) != 32
        or len(span_hex) != 16
        or len(flags_hex) != 2
        or not trace_id
        or not span_id
    ):
        return None
    state = TraceState.from_header([tracestate]) if tracestate else None
    parent = SpanContext(
        trace_id, span_id, is_remote=True, trace_flags=TraceFlags(flags), trace_state=state
    )
    return trace.set_span_in_context(NonRecordingSpan(parent))


def outgoing_headers() -> list[tuple[str, str]]:
    """The current trace context as header pairs for a request to another service."""
    carrier = current_carrier()
    return list(carrier.items()) if carrier else []


def _carrier_of(headers: Iterable[tuple[bytes, bytes | None]]) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in headers
        if value is not None and name.lower() in _TRACE_HEADER_BYTES
    }


# Kafka


def start_producer_span(
    topic: str, *, stored: Mapping[str, str] | None, attributes: Mapping[str, Any]
) -> tuple[Span, list[tuple[str, bytes]]]:
    """A started PRODUCER span for one outbox row, child of the context ``stored`` with it,
    and the Kafka headers that carry the span's own context to the consumer.

    The span is not made current (the relay publishes many rows at once): the caller ends it
    once the broker acknowledged, after setting an error status if it did not.
    """
    span = tracer().start_span(
        f"publish {topic}",
        context=context_from(stored),
        kind=SpanKind.PRODUCER,
        attributes={"messaging.system": "kafka", "messaging.destination.name": topic, **attributes},
    )
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier, context=trace.set_span_in_context(span))
    return span, [(name, value.encode()) for name, value in carrier.items()]


@contextmanager
def consumer_span(
    topic: str,
    *,
    headers: Sequence[tuple[str, bytes]] | None,
    group: str,
    attributes: Mapping[str, Any],
) -> Iterator[Span]:
    """The current CONSUMER span for one record, child of the producer span its headers name.

    An exception leaving the block is recorded and marks the span as failed.
    """
    carrier = _carrier_of((name.encode("latin-1"), value) for name, value in headers or ())
    with tracer().start_as_current_span(
        f"process {topic}",
        context=context_from(carrier),
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.consumer.group.name": group,
            "messaging.operation.type": "process",
            **attributes,
        },
    ) as span:
        yield span


@contextmanager
def within_trace_of(headers: Sequence[tuple[str, bytes]] | None) -> Iterator[None]:
    """Make the context a record's headers carry current for the block (log lines written in
    it name that trace), without a span of its own."""
    carrier = _carrier_of((name.encode("latin-1"), value) for name, value in headers or ())
    context = context_from(carrier)
    if context is None:
        yield
        return
    token = otel_context.attach(context)
    try:
        yield
    finally:
        otel_context.detach(token)


# HTTP


class TracingMiddleware:
    """Pure ASGI: a SERVER span around each HTTP request, continuing the caller's trace.

    ``trust_caller(scope)`` says whether the caller's ``traceparent`` is continued (a service
    behind the gateway: always; the gateway: only from a trusted proxy). An untrusted one is
    ignored and a new trace starts. ``route(scope)`` names the span after the request (no raw
    path, whose ids would make every name different); by default the framework's matched
    route template (``scope["route"].path``), read when the app has answered.
    WebSockets are left alone (a session lasting hours is no span), and so are the platform's
    probes and scrapes (:data:`UNTRACED_PATHS`), which would be most of the traces otherwise.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        trust_caller: Callable[[Scope], bool] | None = None,
        route: Callable[[Scope], str | None] | None = None,
    ) -> None:
        self.app = app
        self._trust_caller = trust_caller
        self._route = route or _route_template

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNTRACED_PATHS:
            await self.app(scope, receive, send)
            return
        parent = None
        if self._trust_caller is None or self._trust_caller(scope):
            parent = context_from(_carrier_of(scope["headers"]))
        method: str = scope["method"]
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        span = tracer().start_span(
            method,
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope["path"]},
        )
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            await self.app(scope, receive, send_with_status)
        except BaseException as exc:
            span.record_exception(exc)
            raise
        finally:
            route = self._route(scope)
            if route:
                span.update_name(f"{method} {route}")
                span.set_attribute("http.route", route)
            span.set_attribute("http.response.status_code", status)
            if status >= 500:
                span.set_status(Status(StatusCode.ERROR))
            otel_context.detach(token)
            span.end()


def _route_template(scope: Scope) -> str | None:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else None
