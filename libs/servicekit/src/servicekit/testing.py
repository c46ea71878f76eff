"""Pytest fixtures for services: real PostgreSQL databases and real Kafka topics.

Enable with ``pytest_plugins = ["servicekit.testing"]`` in a conftest. The servers come from
``AOS_POSTGRES_ADMIN_URL`` and ``KAFKA_BOOTSTRAP_SERVERS``, or from ``.local/stack.env`` written by
``deploy/local/stack.py up`` (``make test`` runs it first).

Databases: each migrations folder is applied once to a template database (named after a hash of
the migration files, so a changed migration builds a new template); every test database is a
``CREATE DATABASE ... TEMPLATE`` clone of it, which takes milliseconds.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import http.server
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import jwt
import orjson
import pytest
import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from jwt.algorithms import OKPAlgorithm
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from servicekit.consumer import IncomingEvent
from servicekit.dlq import topic_partitions
from servicekit.migrations import upgrade
from servicekit.relay import (
    HEADER_AGGREGATE,
    HEADER_ID,
    HEADER_SOURCE,
    HEADER_TIME,
    HEADER_TYPE,
    PUBLISH_TIMEOUT_SECONDS,
    acknowledged,
    close_producer,
    new_producer,
)
from servicekit.tracing import configure_tracing

STACK_ENV_KEYS = ("AOS_POSTGRES_ADMIN_URL", "KAFKA_BOOTSTRAP_SERVERS")

_log = logging.getLogger(__name__)


def _find_stack_env() -> Path | None:
    for folder in (Path.cwd(), *Path.cwd().parents):
        candidate = folder / ".local" / "stack.env"
        if candidate.is_file():
            return candidate
    return None


def _stack_values() -> dict[str, str]:
    values: dict[str, str] = {}
    env_file = _find_stack_env()
    if env_file is not None:
        for line in env_file.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and not line.startswith("#"):
                values[key.strip()] = value.strip()
    values.update({k: v for k, v in os.environ.items() if k in STACK_ENV_KEYS})
    return values


def load_stack_env() -> dict[str, str]:
    """Server addresses from the environment, falling back to ``.local/stack.env``."""
    values = _stack_values()
    missing = [k for k in STACK_ENV_KEYS if not values.get(k)]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not set: run `make test`, or `deploy/local/stack.py up`, "
            "or point the variables at existing servers",
            pytrace=False,
        )
    return values


STACK_PROBE_TIMEOUT_SECONDS = 3.0
_START_STACK = "start it with `make stack-up`"


def require_stack(*, kafka: bool = False) -> dict[str, str]:
    """For a script (a bench), before its event loop starts: the stack's addresses, once its
    PostgreSQL (and, with ``kafka``, Kafka) answers there.

    Raises SystemExit with one line saying what is missing and what to do, so the script ends
    with that line and a non-zero status instead of a driver's traceback.
    """
    values = _stack_values()
    needed = ["AOS_POSTGRES_ADMIN_URL", *(["KAFKA_BOOTSTRAP_SERVERS"] if kafka else [])]
    missing = [key for key in needed if not values.get(key)]
    if missing:
        raise SystemExit(
            f"{' and '.join(missing)} not set, here or in .local/stack.env: no stack is running;"
            f" {_START_STACK}, or set {' and '.join(missing)} to running servers"
        )
    admin_url = values["AOS_POSTGRES_ADMIN_URL"]
    problem = asyncio.run(_postgres_problem(asyncpg_dsn(admin_url)))
    if isinstance(problem, _Unreachable):
        raise SystemExit(
            f"PostgreSQL does not answer at {_address(admin_url)} (AOS_POSTGRES_ADMIN_URL):"
            f" {problem.reason}; {_START_STACK}"
        )
    if problem is not None:
        raise SystemExit(
            f"PostgreSQL at {_address(admin_url)} refused the bench: {problem}; check"
            " AOS_POSTGRES_ADMIN_URL (`make stack-up` writes a working one to .local/stack.env)"
        )
    if kafka:
        servers = values["KAFKA_BOOTSTRAP_SERVERS"]
        problem = _kafka_problem(servers)
        if problem is not None:
            raise SystemExit(
                f"Kafka does not answer at {servers} (KAFKA_BOOTSTRAP_SERVERS): {problem};"
                f" {_START_STACK}"
            )
    return values


def _address(url: str) -> str:
    """host:port of a URL, without its user or password."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 5432}"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@dataclass(frozen=True)
class _Unreachable:
    reason: str


async def _postgres_problem(dsn: str) -> _Unreachable | str | None:
    """None when logging in to PostgreSQL works; else why not: :class:`_Unreachable` when
    nothing answers, the server's refusal otherwise."""
    try:
        connection = await asyncpg.connect(dsn, timeout=STACK_PROBE_TIMEOUT_SECONDS)
    except ConnectionRefusedError:
        return _Unreachable("connection refused")
    except TimeoutError:
        return _Unreachable(f"no answer within {STACK_PROBE_TIMEOUT_SECONDS:g} s")
    except OSError as exc:
        return _Unreachable(_reason(exc))
    except Exception as exc:
        return _reason(exc)
    await connection.close()
    return None


def _kafka_problem(bootstrap_servers: str) -> str | None:
    """None when one of the bootstrap servers accepts a connection, else why none does."""
    reasons: list[str] = []
    for server in filter(None, (part.strip() for part in bootstrap_servers.split(","))):
        host, _, port = server.rpartition(":")
        try:
            with socket.create_connection(
                (host.strip("[]"), int(port)), timeout=STACK_PROBE_TIMEOUT_SECONDS
            ):
                return None
        except ConnectionRefusedError:
            reasons.append(f"{server}: connection refused")
        except (OSError, ValueError) as exc:
            reasons.append(f"{server}: {_reason(exc)}")
    return ", ".join(reasons) or "no server listed"


def asyncpg_dsn(url: str) -> str:
    """A plain postgresql:// DSN for asyncpg from a SQLAlchemy-style URL."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", *parts[1:]))


def with_database(url: str, name: str, *, driver: str = "postgresql+asyncpg") -> str:
    parts = urlsplit(url)
    return urlunsplit((driver, parts.netloc, "/" + name, parts.query, ""))


def _migrations_hash(migrations_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(migrations_dir.rglob("*.py")):
        digest.update(path.relative_to(migrations_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class DatabaseFactory:
    """Creates fresh, migrated databases by cloning one template per migrations folder."""

    def __init__(self, admin_url: str) -> None:
        self.admin_dsn = asyncpg_dsn(admin_url)
        self.admin_url = admin_url
        self.created: list[str] = []

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.admin_dsn)

    async def template_for(self, migrations_dir: Path) -> str:
        name = f"tpl_{migrations_dir.parent.name}_{_migrations_hash(migrations_dir)}"
        conn = await self._admin()
        try:
            # Serialise template builds across concurrent test runs.
            await conn.execute("SELECT pg_advisory_lock(hashtext($1))", name)
            try:
                exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname=$1", name)
                if not exists:
                    building = f"{name}_build_{uuid.uuid4().hex[:6]}"
                    await conn.execute(f'CREATE DATABASE "{building}"')
                    await asyncio.to_thread(
                        upgrade, migrations_dir, with_database(self.admin_url, building)
                    )
                    await conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
            finally:
                await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", name)
        finally:
            await conn.close()
        return name

    async def create(self, migrations_dir: Path) -> str:
        """A new database migrated to head; returns its SQLAlchemy asyncpg URL."""
        template = await self.template_for(migrations_dir)
        name = f"t_{migrations_dir.parent.name}_{uuid.uuid4().hex[:10]}"
        conn = await self._admin()
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await conn.close()
        self.created.append(name)
        return with_database(self.admin_url, name)

    async def create_empty(self, label: str) -> str:
        """A new database with no tables (e.g. to migrate step by step); returns its URL."""
        name = f"t_{label}_{uuid.uuid4().hex[:10]}"
        conn = await self._admin()
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        self.created.append(name)
        return with_database(self.admin_url, name)

    async def drop_created(self) -> None:
        conn = await self._admin()
        try:
            for name in self.created:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
        self.created.clear()


class TestTokenIssuer:
    """Signs access tokens like the identity service does, with a key of its own.

    Serves its JWKS through an httpx mock transport: the seam for testing one service without
    starting the identity process (the real JWKS endpoint is covered by identity's and the
    end-to-end tests).
    """

    __test__ = False

    def __init__(self, *, issuer: str = "aos-identity", audience: str = "aos") -> None:
        self.private_key = Ed25519PrivateKey.generate()
        self.kid = uuid.uuid4().hex[:16]
        self.issuer = issuer
        self.audience = audience
        self.jwks_requests = 0

    def jwks(self) -> dict[str, Any]:
        jwk: dict[str, Any] = OKPAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        jwk.update(kid=self.kid, use="sig", alg="EdDSA")
        return {"keys": [jwk]}

    def http_client(self) -> httpx.AsyncClient:
        def handler(request: httpx.Request) -> httpx.Response:
            self.jwks_requests += 1
            return httpx.Response(200, json=self.jwks())

        return httpx.AsyncClient(transport=httpx.MockTransport(handler))

    def token(
        self,
        *,
        user_id: uuid.UUID | None = None,
        organization_id: uuid.UUID | None = None,
        roles: tuple[str, ...] = ("owner",),
        ttl: int = 300,
        **overrides: Any,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": str(user_id or uuid.uuid4()),
            "org": str(organization_id or uuid.uuid4()),
            "roles": list(roles),
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
        }
        claims.update(overrides)
        return jwt.encode(claims, self.private_key, algorithm="EdDSA", headers={"kid": self.kid})


M = TypeVar("M", bound=Message)


def incoming_event(message: M, *, source: str, aggregate_id: str) -> IncomingEvent[M]:
    """``message`` as a consumer handler receives it from Kafka, with a fresh event id."""
    return IncomingEvent(
        event_id=uuid.uuid4(),
        event_type=message.DESCRIPTOR.full_name,
        source=source,
        occurred_at=datetime.now(UTC),
        aggregate_id=aggregate_id,
        message=message,
    )


class ManualClock:
    """A clock that moves only when the test says so (for code that takes a ``clock``
    callable): time-dependent behaviour is then tested without racing the machine's speed."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


def timestamp(moment: datetime) -> Timestamp:
    """A protobuf Timestamp of a timezone-aware datetime."""
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def assert_problem(
    response: httpx.Response, status: int, slug: str | None = None
) -> dict[str, Any]:
    """The problem+json body, after checking status, media type, detail, code and (optionally)
    type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body.get("detail")
    # The contract clients rely on: a stable code, the slug at the end of the type.
    assert body["code"] == body["type"].rsplit("/", 1)[-1], body
    if slug is not None:
        assert body["type"] == f"/problems/{slug}"
    return body


@dataclass(frozen=True)
class RawAnswer:
    """What a server wrote on a raw connection before closing it."""

    status: int
    headers: dict[str, str]
    body: bytes

    def problem(self) -> dict[str, Any]:
        assert self.headers.get("content-type") == "application/problem+json", self.headers
        body: dict[str, Any] = orjson.loads(self.body)
        assert body["status"] == self.status
        return body


async def raw_exchange(port: int, data: bytes, *, wait_seconds: float = 30.0) -> RawAnswer:
    """Write ``data`` on a new loopback connection as it is, then read until the server closes.

    For requests no HTTP client sends (unfinished headers, a body shorter than its
    Content-Length). ``wait_seconds`` only guards against a hang: a server that never closes
    fails the test with TimeoutError.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        async with asyncio.timeout(wait_seconds):
            answer = await reader.read()  # until end of file: the server closed the connection
    finally:
        writer.close()
    assert answer, "the server closed the connection without answering"
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return RawAnswer(status=int(status_line.split(" ")[1]), headers=headers, body=body)


@asynccontextmanager
async def running_app(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and yield an HTTP client that talks to it in-process."""
    async with app.router.lifespan_context(app):
        # Like a real server, answer with the app's 500 problem instead of raising into the test.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


async def publish_event(
    bootstrap_servers: str,
    topic: str,
    message: Message,
    *,
    source: str,
    aggregate_id: str,
    occurred_at: datetime | None = None,
) -> uuid.UUID:
    """Publish ``message`` to ``topic`` as a service's outbox relay would (same envelope headers,
    keyed by ``aggregate_id``); returns its event id once the broker acknowledged it."""
    event_id = uuid.uuid4()
    headers = [
        (HEADER_ID, str(event_id).encode()),
        (HEADER_TYPE, message.DESCRIPTOR.full_name.encode()),
        (HEADER_SOURCE, source.encode()),
        (HEADER_TIME, (occurred_at or datetime.now(UTC)).isoformat().encode()),
        (HEADER_AGGREGATE, aggregate_id.encode()),
    ]
    producer = new_producer(bootstrap_servers)
    await producer.start()
    try:
        sent = await producer.send(
            topic, value=message.SerializeToString(), key=aggregate_id.encode(), headers=headers
        )
        await acknowledged([sent], within=PUBLISH_TIMEOUT_SECONDS)
    finally:
        await close_producer(producer)
    return event_id


async def topic_size(bootstrap_servers: str, topic: str) -> int:
    """How many records ``topic`` holds over all partitions (0 when nobody ever wrote to it)."""
    partitions = await topic_partitions(bootstrap_servers, [topic])
    if not partitions:
        return 0
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers)
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        return sum(ends.values())
    finally:
        await consumer.stop()


async def committed_offsets(bootstrap_servers: str, group: str) -> dict[TopicPartition, int]:
    """The offsets consumer group ``group`` has committed (empty when it committed none)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}


@dataclass(frozen=True)
class ReceivedSpan:
    """One span as an OTLP collector received it; ids in lowercase hex ("" for no parent)."""

    service: str
    name: str
    kind: str  # "SERVER", "CLIENT", "PRODUCER", "CONSUMER", "INTERNAL"
    trace_id: str
    span_id: str
    parent_span_id: str
    attributes: dict[str, Any]


class OtlpReceiver:
    """A tiny OTLP/HTTP trace collector on 127.0.0.1 (protobuf bodies, ``POST /v1/traces``):
    what processes export when ``AOS_OTLP_ENDPOINT`` is its :attr:`endpoint`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spans: list[ReceivedSpan] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path == "/v1/traces":
                    receiver._add(ExportTraceServiceRequest.FromString(body))
                    answer = ExportTraceServiceResponse().SerializeToString()
                    self.send_response(200)
                else:
                    answer = b""
                    self.send_response(404)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the test's output is for the test

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> OtlpReceiver:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def spans(self) -> list[ReceivedSpan]:
        with self._lock:
            return list(self._spans)

    def _add(self, request: ExportTraceServiceRequest) -> None:
        received = []
        for resource_spans in request.resource_spans:
            resource = _attributes(resource_spans.resource.attributes)
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    received.append(
                        ReceivedSpan(
                            service=str(resource.get("service.name", "")),
                            name=span.name,
                            kind=Span.SpanKind.Name(span.kind).removeprefix("SPAN_KIND_"),
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            attributes=_attributes(span.attributes),
                        )
                    )
        with self._lock:
            self._spans.extend(received)


def _attributes(pairs: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        kind = pair.value.WhichOneof("value")
        out[pair.key] = getattr(pair.value, kind) if kind else None
    return out


@pytest.fixture
def captured_spans() -> Iterator[InMemorySpanExporter]:
    """Spans of this process, kept in memory as each ends (servicekit.tracing). Create apps
    before asking for it: an app's factory sets up tracing afresh."""
    exporter = InMemorySpanExporter()
    configure_tracing(service="test", exporter=exporter)
    yield exporter
    configure_tracing(service="test")


@pytest.fixture(scope="session")
def stack_env() -> dict[str, str]:
    return load_stack_env()


@pytest.fixture(scope="session")
def kafka_bootstrap_servers(stack_env: dict[str, str]) -> str:
    return stack_env["KAFKA_BOOTSTRAP_SERVERS"]


@pytest.fixture(scope="session")
async def database_factory(stack_env: dict[str, str]) -> AsyncIterator[DatabaseFactory]:
    factory = DatabaseFactory(stack_env["AOS_POSTGRES_ADMIN_URL"])
    yield factory
    await factory.drop_created()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Put back the logging setup after a test that calls ``configure_logging`` (it is
    process-wide: a later test would otherwise write to this test's closed capture stream)."""
    root = logging.getLogger()
    handlers, level, config = root.handlers[:], root.level, structlog.get_config()
    aiokafka_level = logging.getLogger("aiokafka").level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**config)
    logging.getLogger("aiokafka").setLevel(aiokafka_level)


# How long a test's teardown may spend deleting its namespace's topics, in seconds: a broker
# that does not answer by then costs the run a warning, not a failed or hanging test.
TOPIC_CLEANUP_SECONDS = 15.0
# Kafka's UNKNOWN_TOPIC_OR_PARTITION: the topic went already (nothing to do).
_UNKNOWN_TOPIC = 3


async def delete_namespace_topics(
    bootstrap_servers: str, namespace: str, *, wait_seconds: float = TOPIC_CLEANUP_SECONDS
) -> list[str]:
    """Delete every topic whose name starts with ``namespace`` (non-empty); return their names.

    Raises TimeoutError past ``wait_seconds``, KafkaError when the broker cannot be asked,
    and RuntimeError naming the topics the broker refused to delete."""
    if not namespace:
        raise ValueError("an empty namespace would name every topic of the broker")
    timeout_ms = int(wait_seconds * 1000)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=timeout_ms)
    async with asyncio.timeout(wait_seconds):
        try:
            await admin.start()
            names = sorted(name for name in await admin.list_topics() if name.startswith(namespace))
            if not names:
                return []
            answer = await admin.delete_topics(names, timeout_ms=timeout_ms)
        finally:
            await admin.close()
    refused = [
        f"{topic} (error {code})"
        for topic, code, *_ in answer.topic_error_codes
        if code not in (0, _UNKNOWN_TOPIC)
    ]
    if refused:
        raise RuntimeError(f"the broker did not delete {', '.join(refused)}")
    return names


@asynccontextmanager
async def cleaned_topic_namespace(
    bootstrap_servers: str, *, wait_seconds: float = TOPIC_CLEANUP_SECONDS
) -> AsyncIterator[str]:
    """A Kafka name prefix no other test uses; its topics (what the code under test created:
    auto-created by producing, its dead-letter topics) are deleted on exit, so a test run does
    not leave thousands of topics on the shared broker. A failure to delete them is logged,
    not raised: it says nothing about the code under test."""
    namespace = f"t{uuid.uuid4().hex[:10]}."
    try:
        yield namespace
    finally:
        await _delete_or_warn(bootstrap_servers, namespace, wait_seconds=wait_seconds)


async def _delete_or_warn(bootstrap_servers: str, namespace: str, *, wait_seconds: float) -> None:
    try:
        await delete_namespace_topics(bootstrap_servers, namespace, wait_seconds=wait_seconds)
    except Exception as exc:  # TimeoutError and KafkaError included
        _log.warning(
            "could not delete the test's Kafka topics %s*: %s",
            namespace,
            str(exc) or type(exc).__name__,
        )


def delete_namespace_topics_after(
    bootstrap_servers: str, namespace: str, *, wait_seconds: float = TOPIC_CLEANUP_SECONDS
) -> None:
    """``cleaned_topic_namespace``'s clean-up for a synchronous fixture (one whose processes
    used ``namespace``, e.g. a whole system started by ``deploy/local/run.py``): delete its
    topics, logging a failure. Runs in a thread of its own, with its own event loop, so that it
    neither needs nor disturbs the test session's loop."""
    worker = threading.Thread(
        target=asyncio.run,
        args=(_delete_or_warn(bootstrap_servers, namespace, wait_seconds=wait_seconds),),
        name="delete-test-topics",
    )
    worker.start()
    worker.join()


@pytest.fixture
async def topic_namespace(kafka_bootstrap_servers: str) -> AsyncIterator[str]:
    """A Kafka name prefix no other test uses; its topics are deleted at teardown."""
    async with cleaned_topic_namespace(kafka_bootstrap_servers) as namespace:
        yield namespace


@pytest.fixture
def token_issuer() -> TestTokenIssuer:
    return TestTokenIssuer()
