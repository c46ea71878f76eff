"""Tracing: a change's trace goes from its HTTP request through the outbox, the relay and Kafka
into the consumer's effect, and the log lines written on the way carry its ids."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from fastapi import APIRouter, FastAPI
from google.protobuf.timestamp_pb2 import Timestamp
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1.billing_pb2 import SCOPE_AIR, EntitlementGranted
from servicekit.app import ServiceSpec, create_service_app
from servicekit.consumer import BadEvent, EventConsumer, IncomingEvent, subscribe
from servicekit.db import Database
from servicekit.logging import configure_logging, get_logger
from servicekit.outbox import outbox_table, record_event
from servicekit.relay import OutboxRelay, new_producer
from servicekit.settings import ServiceSettings, load_settings
from servicekit.testing import OtlpReceiver, running_app
from servicekit.tracing import configure_tracing, context_from, current_carrier, tracer

MIGRATIONS = Path(__file__).parent / "kit_migrations"


@pytest.fixture
async def database(database_factory: Any) -> AsyncIterator[Database]:
    db = Database(await database_factory.create(MIGRATIONS), pool_size=4)
    yield db
    await db.dispose()


def granted(org: uuid.UUID) -> EntitlementGranted:
    start = Timestamp()
    start.GetCurrentTime()
    return EntitlementGranted(
        entitlement_id=str(uuid.uuid4()),
        organization_id=str(org),
        scope=SCOPE_AIR,
        valid_from=start,
        valid_until=start,
    )


async def fetch_records(
    bootstrap: str, topic: str, count: int, timeout: float = 20.0
) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"reader-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        async with asyncio.timeout(timeout):
            while len(records) < count:
                batch = await consumer.getmany(timeout_ms=500)
                for items in batch.values():
                    records.extend(items)
    finally:
        await consumer.stop()
    return records


def ids_of(traceparent: str | bytes) -> tuple[str, str]:
    """(trace id, parent span id) of a traceparent; its flags vary (sampled, random)."""
    text = traceparent.decode() if isinstance(traceparent, bytes) else traceparent
    version, trace_id, span_id, _flags = text.split("-")
    assert version == "00"
    return trace_id, span_id


def hex_ids(span: ReadableSpan) -> tuple[str, str]:
    context = span.get_span_context()
    assert context is not None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def parent_id(span: ReadableSpan) -> str | None:
    return format(span.parent.span_id, "016x") if span.parent is not None else None


def only(spans: InMemorySpanExporter, kind: SpanKind) -> ReadableSpan:
    [span] = [s for s in spans.get_finished_spans() if s.kind == kind]
    return span


async def stored_trace_context(db: Database) -> list[Any]:
    async with db.transaction() as session:
        rows = await session.execute(select(outbox_table.c.trace_context).order_by("id"))
        return [row.trace_context for row in rows]


async def test_record_event_stores_the_trace_context_of_the_current_span(
    database: Database, captured_spans: InMemorySpanExporter
) -> None:
    with tracer().start_as_current_span("change") as span:
        async with database.transaction() as session:
            await record_event(
                session, granted(uuid.uuid4()), topic="t", aggregate_id="a", source="test"
            )
    trace_id = format(span.get_span_context().trace_id, "032x")
    span_id = format(span.get_span_context().span_id, "016x")
    [stored] = await stored_trace_context(database)
    assert ids_of(stored["traceparent"]) == (trace_id, span_id)


async def test_an_event_recorded_outside_any_span_has_no_trace_context(database: Database) -> None:
    async with database.transaction() as session:
        await record_event(
            session, granted(uuid.uuid4()), topic="t", aggregate_id="a", source="test"
        )
        null = await session.execute(text("SELECT trace_context IS NULL FROM outbox"))
        assert null.scalar_one() is True


async def test_relay_publishes_in_a_child_span_and_sends_its_traceparent_in_the_headers(
    database: Database,
    kafka_bootstrap_servers: str,
    topic_namespace: str,
    captured_spans: InMemorySpanExporter,
) -> None:
    topic = topic_namespace + "billing.v1"
    with tracer().start_as_current_span("change"):
        async with database.transaction() as session:
            recorded = await record_event(
                session, granted(uuid.uuid4()), topic=topic, aggregate_id="a", source="billing"
            )
    relay = OutboxRelay(database, bootstrap_servers=kafka_bootstrap_servers)
    try:
        assert await relay.publish_batch() == 1
    finally:
        await relay._drop_producer()

    change = only(captured_spans, SpanKind.INTERNAL)
    publish = only(captured_spans, SpanKind.PRODUCER)
    trace_id, change_id = hex_ids(change)
    assert hex_ids(publish)[0] == trace_id
    assert parent_id(publish) == change_id
    assert publish.name == f"publish {topic}"
    assert publish.attributes is not None
    assert publish.attributes["messaging.message.id"] == str(recorded.event_id)
    [record] = await fetch_records(kafka_bootstrap_servers, topic, 1)
    headers = dict(record.headers)
    assert ids_of(headers["traceparent"]) == (trace_id, hex_ids(publish)[1])


async def test_an_event_recorded_without_a_trace_is_published_in_a_trace_of_its_own(
    database: Database,
    kafka_bootstrap_servers: str,
    topic_namespace: str,
    captured_spans: InMemorySpanExporter,
) -> None:
    topic = topic_namespace + "billing.v1"
    async with database.transaction() as session:
        await record_event(
            session, granted(uuid.uuid4()), topic=topic, aggregate_id="a", source="billing"
        )
    relay = OutboxRelay(database, bootstrap_servers=kafka_bootstrap_servers)
    try:
        assert await relay.publish_batch() == 1
    finally:
        await relay._drop_producer()

    publish = only(captured_spans, SpanKind.PRODUCER)
    assert publish.parent is None
    [record] = await fetch_records(kafka_bootstrap_servers, topic, 1)
    assert ids_of(dict(record.headers)["traceparent"]) == hex_ids(publish)


async def test_consumer_continues_the_trace_of_the_headers_around_the_handlers_work(
    database: Database,
    kafka_bootstrap_servers: str,
    topic_namespace: str,
    captured_spans: InMemorySpanExporter,
) -> None:
    topic = topic_namespace + "billing.v1"
    with tracer().start_as_current_span("change"):
        async with database.transaction() as session:
            await record_event(
                session, granted(uuid.uuid4()), topic=topic, aggregate_id="a", source="billing"
            )
    relay = OutboxRelay(database, bootstrap_servers=kafka_bootstrap_servers)
    try:
        await relay.publish_batch()
    finally:
        await relay._drop_producer()
    [record] = await fetch_records(kafka_bootstrap_servers, topic, 1)
    seen_in_handler: list[str] = []

    async def handler(session: AsyncSession, event: IncomingEvent[EntitlementGranted]) -> None:
        context = trace.get_current_span().get_span_context()
        seen_in_handler.append(format(context.span_id, "016x"))
        # What the handler records in turn carries the trace on.
        await record_event(
            session, granted(uuid.uuid4()), topic="next.v1", aggregate_id="b", source="air"
        )

    consumer = EventConsumer(
        database,
        name=topic_namespace + "traced",
        topics=[topic],
        bootstrap_servers=kafka_bootstrap_servers,
        subscriptions=dict([subscribe(EntitlementGranted, handler)]),
    )
    assert await consumer.process(record, producer=None) is True

    publish = only(captured_spans, SpanKind.PRODUCER)
    process = only(captured_spans, SpanKind.CONSUMER)
    trace_id, process_id = hex_ids(process)
    assert trace_id == hex_ids(publish)[0]
    assert parent_id(process) == hex_ids(publish)[1]
    assert process.name == f"process {topic}"
    assert process.attributes is not None
    assert process.attributes["messaging.consumer.group.name"] == topic_namespace + "traced"
    assert seen_in_handler == [process_id]
    stored = await stored_trace_context(database)
    assert ids_of(stored[1]["traceparent"]) == (trace_id, process_id)


async def test_a_dead_lettered_event_keeps_its_traceparent_and_its_span_is_an_error(
    database: Database,
    kafka_bootstrap_servers: str,
    topic_namespace: str,
    captured_spans: InMemorySpanExporter,
) -> None:
    topic = topic_namespace + "billing.v1"
    with tracer().start_as_current_span("change"):
        async with database.transaction() as session:
            await record_event(
                session, granted(uuid.uuid4()), topic=topic, aggregate_id="a", source="billing"
            )
    relay = OutboxRelay(database, bootstrap_servers=kafka_bootstrap_servers)
    try:
        await relay.publish_batch()
    finally:
        await relay._drop_producer()
    [record] = await fetch_records(kafka_bootstrap_servers, topic, 1)

    async def strict(_session: AsyncSession, _event: IncomingEvent[EntitlementGranted]) -> None:
        raise BadEvent("the window ends before it starts")

    producer = new_producer(kafka_bootstrap_servers)
    await producer.start()
    try:
        consumer = EventConsumer(
            database,
            name=topic_namespace + "strict",
            topics=[topic],
            bootstrap_servers=kafka_bootstrap_servers,
            subscriptions=dict([subscribe(EntitlementGranted, strict)]),
        )
        assert await consumer.process(record, producer) is False
    finally:
        await producer.stop()

    [dead] = await fetch_records(kafka_bootstrap_servers, topic + ".dlq", 1)
    assert dict(dead.headers)["traceparent"] == dict(record.headers)["traceparent"]
    process = only(captured_spans, SpanKind.CONSUMER)
    assert process.status.status_code == StatusCode.ERROR
    assert parent_id(process) == hex_ids(only(captured_spans, SpanKind.PRODUCER))[1]


def test_log_lines_written_in_a_span_carry_its_trace_and_span_ids(
    restore_logging: None, captured_spans: InMemorySpanExporter
) -> None:
    stream = io.StringIO()
    configure_logging(service="kit-test", stream=stream)
    get_logger("kit").info("outside")
    with tracer().start_as_current_span("work") as span:
        get_logger("kit").info("inside")
        logging.getLogger("some.library").warning("library inside")
    outside, inside, library = (json.loads(line) for line in stream.getvalue().splitlines())
    trace_id = format(span.get_span_context().trace_id, "032x")
    span_id = format(span.get_span_context().span_id, "016x")
    assert "trace_id" not in outside
    assert (inside["trace_id"], inside["span_id"]) == (trace_id, span_id)
    assert (library["trace_id"], library["span_id"]) == (trace_id, span_id)


# HTTP: the service's server span

router = APIRouter()


@router.get("/items/{item_id}")
async def read_item(item_id: str) -> dict[str, str]:
    context = trace.get_current_span().get_span_context()
    return {"item_id": item_id, "span_id": format(context.span_id, "016x")}


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("a bug")


@pytest.fixture
async def client(database_factory: Any, kafka_bootstrap_servers: str) -> AsyncIterator[Any]:
    settings = ServiceSettings(
        service_name="kit-test",
        database_url=await database_factory.create(MIGRATIONS),
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        environment="test",
        run_background_workers=False,
    )
    app: FastAPI = create_service_app(
        settings, ServiceSpec(title="kit", version="0", routers=[router], migrations_dir=MIGRATIONS)
    )
    async with running_app(app) as http:
        yield http


CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"


async def test_a_service_continues_the_callers_trace_in_a_span_named_after_the_route(
    client: httpx.AsyncClient, captured_spans: InMemorySpanExporter
) -> None:
    response = await client.get(
        "/items/42", headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"}
    )
    assert response.status_code == 200
    server = only(captured_spans, SpanKind.SERVER)
    assert hex_ids(server)[0] == CALLER_TRACE
    assert parent_id(server) == CALLER_SPAN
    assert server.name == "GET /items/{item_id}"
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 200
    assert response.json()["span_id"] == hex_ids(server)[1]


async def test_a_malformed_traceparent_starts_a_new_trace(
    client: httpx.AsyncClient, captured_spans: InMemorySpanExporter
) -> None:
    response = await client.get("/items/42", headers={"traceparent": "00-not-a-trace-01"})
    assert response.status_code == 200
    server = only(captured_spans, SpanKind.SERVER)
    assert server.parent is None
    assert server.get_span_context() is not None
    assert server.get_span_context().is_valid


async def test_a_failed_request_is_an_error_span(
    client: httpx.AsyncClient, captured_spans: InMemorySpanExporter
) -> None:
    assert (await client.get("/boom")).status_code == 500
    server = only(captured_spans, SpanKind.SERVER)
    assert server.status.status_code == StatusCode.ERROR
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 500


# Export


def test_spans_reach_the_otlp_endpoint_with_the_services_name_and_version() -> None:
    with OtlpReceiver() as receiver:
        provider = configure_tracing(
            service="kit-test", version="1.2.3", otlp_endpoint=receiver.endpoint
        )
        try:
            with tracer().start_as_current_span("work"):
                pass
            assert provider.force_flush(timeout_millis=10_000)
            [span] = receiver.spans
        finally:
            configure_tracing(service="test")
    assert (span.service, span.name) == ("kit-test", "work")


def test_without_an_endpoint_nothing_is_exported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AOS_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    settings = ServiceSettings()
    assert settings.otlp_endpoint == ""
    with OtlpReceiver() as receiver:
        # Even with the SDK's own variable pointing at a collector: settings decide.
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.endpoint + "/v1/traces")
        provider = configure_tracing(service="kit-test", otlp_endpoint=settings.otlp_endpoint)
        try:
            with tracer().start_as_current_span("work") as span:
                # Spans and ids exist all the same: logs and traceparent need them.
                assert span.get_span_context().is_valid
            provider.force_flush(timeout_millis=2_000)
            provider.shutdown()
        finally:
            configure_tracing(service="test")
        assert receiver.spans == []


def test_the_sample_ratio_is_validated() -> None:
    with pytest.raises(ValueError, match="trace_sample_ratio"):
        ServiceSettings(trace_sample_ratio=1.5)


@pytest.mark.parametrize(
    "traceparent",
    [
        f"00-{CALLER_TRACE}-{CALLER_SPAN}-01",
        f"00-{CALLER_TRACE}-{CALLER_SPAN}-00",
        f"01-{CALLER_TRACE}-{CALLER_SPAN}-01-later-version-fields",
        f"00-{CALLER_TRACE.upper()}-{CALLER_SPAN}-01",
        f"00-{'0' * 32}-{CALLER_SPAN}-01",
        f"00-{CALLER_TRACE}-{'0' * 16}-01",
        f"00-{CALLER_TRACE}-{CALLER_SPAN}-0x",
        f"00-{CALLER_TRACE[:-1]}g-{CALLER_SPAN}-01",
        f"ff-{CALLER_TRACE}-{CALLER_SPAN}-01",
        "",
    ],
)
def test_a_received_trace_context_is_read_as_the_w3c_parser_reads_it(traceparent: str) -> None:
    carrier = {"traceparent": traceparent, "tracestate": "vendor=a,other=b"}
    ours = context_from(carrier)
    reference = trace.get_current_span(TraceContextTextMapPropagator().extract(carrier))
    expected = reference.get_span_context()
    if not expected.is_valid:
        assert ours is None
        return
    assert ours is not None
    got = trace.get_current_span(ours).get_span_context()
    assert (got.trace_id, got.span_id, got.trace_flags, got.is_remote) == (
        expected.trace_id,
        expected.span_id,
        expected.trace_flags,
        expected.is_remote,
    )
    assert got.trace_state.to_header() == expected.trace_state.to_header()


def test_without_an_exporter_spans_are_not_recorded_and_say_so_downstream() -> None:
    configure_tracing(service="kit-test")
    with tracer().start_as_current_span("work") as span:
        assert not span.is_recording()
        carrier = current_carrier()
    assert carrier is not None
    trace_id, span_id = ids_of(carrier["traceparent"])
    assert (trace_id, span_id) == (
        format(span.get_span_context().trace_id, "032x"),
        format(span.get_span_context().span_id, "016x"),
    )
    flags = int(carrier["traceparent"].rsplit("-", 1)[1], 16)
    assert flags & 0x01 == 0  # not sampled


async def test_a_failed_attempt_is_an_error_span_and_its_log_line_names_the_events_trace(
    database: Database,
    kafka_bootstrap_servers: str,
    topic_namespace: str,
    captured_spans: InMemorySpanExporter,
    restore_logging: None,
) -> None:
    stream = io.StringIO()
    configure_logging(service="kit-test", stream=stream)
    topic = topic_namespace + "billing.v1"
    with tracer().start_as_current_span("change") as change:
        async with database.transaction() as session:
            await record_event(
                session, granted(uuid.uuid4()), topic=topic, aggregate_id="a", source="billing"
            )
    relay = OutboxRelay(database, bootstrap_servers=kafka_bootstrap_servers)
    try:
        await relay.publish_batch()
    finally:
        await relay._drop_producer()
    failures = {"left": 1}
    applied = asyncio.Event()

    async def flaky(_session: AsyncSession, _event: IncomingEvent[EntitlementGranted]) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionRefusedError("database away")
        applied.set()

    consumer = EventConsumer(
        database,
        name=topic_namespace + "flaky",
        topics=[topic],
        bootstrap_servers=kafka_bootstrap_servers,
        subscriptions=dict([subscribe(EntitlementGranted, flaky)]),
        backoff_seconds=0.05,
    )
    task = asyncio.create_task(consumer.run())
    try:
        async with asyncio.timeout(30):
            await applied.wait()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    trace_id = format(change.get_span_context().trace_id, "032x")
    failed, succeeded = (
        s for s in captured_spans.get_finished_spans() if s.kind == SpanKind.CONSUMER
    )
    assert failed.status.status_code == StatusCode.ERROR
    assert succeeded.status.status_code != StatusCode.ERROR
    assert hex_ids(failed)[0] == hex_ids(succeeded)[0] == trace_id
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    [warning] = [line for line in lines if line["event"].startswith("event failed")]
    assert warning["trace_id"] == trace_id


def test_an_endpoint_without_a_scheme_is_refused_with_what_to_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AOS_OTLP_ENDPOINT", "otel-collector:4318")
    with pytest.raises(SystemExit, match=r"AOS_OTLP_ENDPOINT: .*http"):
        load_settings(ServiceSettings)


async def test_probes_and_scrapes_make_no_spans(
    client: httpx.AsyncClient, captured_spans: InMemorySpanExporter
) -> None:
    for path in ("/healthz", "/readyz", "/metrics"):
        assert (await client.get(path)).status_code == 200, path
    assert (await client.get("/items/1")).status_code == 200
    assert [s.name for s in captured_spans.get_finished_spans()] == ["GET /items/{item_id}"]
