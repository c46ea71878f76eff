"""Fixtures of the programming tests: a fresh migrated database, the app (in-process and as a
real uvicorn server for WebSocket tests), tokens, programming passes and a test-side agent."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
import websockets
import websockets.asyncio.client
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection

from aos.agent.v1 import agent_pb2
from aos.events.v1 import billing_pb2
from programming.config import Settings
from programming.consumers.entitlements import (
    handle_entitlement_granted,
    handle_entitlement_revoked,
)
from programming.main import MIGRATIONS_DIR, create_app
from programming.services.runtime import Clock, system_clock
from servicekit.consumer import IncomingEvent
from servicekit.testing import (
    DatabaseFactory,
    TestTokenIssuer,
    incoming_event,
    running_app,
    timestamp,
)

Grant = Callable[..., Awaitable[billing_pb2.EntitlementGranted]]
Revoke = Callable[..., Awaitable[billing_pb2.EntitlementRevoked]]
Auth = Callable[..., dict[str, str]]
M = TypeVar("M", billing_pb2.EntitlementGranted, billing_pb2.EntitlementRevoked)


def incoming(message: M) -> IncomingEvent[M]:
    return incoming_event(
        message,
        source="billing",
        aggregate_id=message.organization_id,  # type: ignore[attr-defined]
    )


@pytest.fixture
async def database_url(database_factory: DatabaseFactory) -> str:
    return await database_factory.create(MIGRATIONS_DIR)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module to change settings (e.g. the flash time estimate)."""
    return {}


@pytest.fixture
def settings(
    database_url: str,
    kafka_bootstrap_servers: str,
    topic_namespace: str,
    tmp_path: Path,
    settings_overrides: dict[str, Any],
) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "environment": "test",
        "kafka_bootstrap_servers": kafka_bootstrap_servers,
        "topic_namespace": topic_namespace,
        "migrate_on_start": False,
        "run_background_workers": False,
        "seed_on_start": True,
        "release_signing_key_file": tmp_path / "keys" / "release.pem",
        "secret_keys_file": tmp_path / "keys" / "secret-keys",
        "vehicle_read_timeout_seconds": 5.0,
    }
    values.update(settings_overrides)
    return Settings(**values)


@pytest.fixture
def clock() -> Clock:
    """The app's clock; override in a test module to control time (see test_time_guard)."""
    return system_clock


@pytest.fixture
async def app(
    settings: Settings, token_issuer: TestTokenIssuer, clock: Clock
) -> AsyncIterator[FastAPI]:
    async with token_issuer.http_client() as jwks_http:
        yield create_app(settings, jwks_http=jwks_http, clock=clock)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as http:
        yield http


@pytest.fixture
async def server(app: FastAPI) -> AsyncIterator[str]:
    """The app behind a real uvicorn on a free port (for WebSocket clients); yields its URL."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        lifespan="on",
        log_config=None,
        ws="websockets-sansio",
    )
    uvicorn_server = uvicorn.Server(config)
    task = asyncio.create_task(uvicorn_server.serve())
    for _ in range(500):
        if uvicorn_server.started:
            break
        await asyncio.sleep(0.01)
    assert uvicorn_server.started, "uvicorn did not start"
    port = uvicorn_server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uvicorn_server.should_exit = True
        await asyncio.wait_for(task, 15)


@pytest.fixture
async def http(server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, timeout=20) as client:
        yield client


@pytest.fixture
def auth(token_issuer: TestTokenIssuer) -> Auth:
    """Authorization headers of a user of the given organisation."""

    def headers(organization_id: uuid.UUID, *, user_id: uuid.UUID | None = None) -> dict[str, str]:
        token = token_issuer.token(organization_id=organization_id, user_id=user_id)
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def grant(app: FastAPI) -> Grant:
    """Project an EntitlementGranted through the consumer's handler (as the consumer does).
    Needs the app's lifespan running (the ``client`` or ``server`` fixture)."""

    async def project(
        organization_id: uuid.UUID,
        *,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        scope: int = billing_pb2.SCOPE_PROGRAMMING,
        vin: str = "",
    ) -> billing_pb2.EntitlementGranted:
        start = valid_from or datetime.now(UTC) - timedelta(minutes=5)
        message = billing_pb2.EntitlementGranted(
            entitlement_id=str(uuid.uuid4()),
            organization_id=str(organization_id),
            scope=scope,  # type: ignore[arg-type]
            valid_from=timestamp(start),
            valid_until=timestamp(valid_until or start + timedelta(hours=1)),
            order_id=str(uuid.uuid4()),
            vin=vin,
        )
        async with app.state.database.transaction() as session:
            await handle_entitlement_granted(session, incoming(message))
        return message

    return project


@pytest.fixture
def revoke(app: FastAPI) -> Revoke:
    """Apply an EntitlementRevoked (a refund) through the consumer's handler."""

    async def apply(
        grant: billing_pb2.EntitlementGranted, *, revoked_at: datetime | None = None
    ) -> billing_pb2.EntitlementRevoked:
        message = billing_pb2.EntitlementRevoked(
            entitlement_id=grant.entitlement_id,
            organization_id=grant.organization_id,
            scope=grant.scope,
            order_id=grant.order_id,
            vin=grant.vin,
            reason=billing_pb2.REVOCATION_REASON_REFUNDED,
            revoked_at=timestamp(revoked_at or datetime.now(UTC)),
        )
        async with app.state.database.transaction() as session:
            await handle_entitlement_revoked(session, incoming(message))
        return message

    return apply


# --- The test-side agent: a WebSocket client speaking the real agent protocol ---------------

DEMO_VIN = "WBA5F3103MFX12345"


def demo_ecus() -> list[agent_pb2.EcuReport]:
    """The demo vehicle of the shared spec: the DME runs 1.0.0 (the catalog has 1.1.0)."""
    return [
        agent_pb2.EcuReport(logical_address=0x12, name="DME", ecu_type="DME_B48",
                            software_version="1.0.0", serial_number="DME0001"),
        agent_pb2.EcuReport(logical_address=0x40, name="BDC", ecu_type="BDC_G20",
                            software_version="2.3.0", serial_number="BDC0001"),
        agent_pb2.EcuReport(logical_address=0x63, name="HU", ecu_type="HU_MGU",
                            software_version="5.0.1", serial_number="HU0001"),
    ]  # fmt: skip


class FakeAgent:
    """Plays the VCI agent from the test: answers ReadVehicle from its own ECU table and runs
    StartJob by downloading the image (Range), asking for the security key, reporting progress,
    a trace and the result. Records what the service sent it."""

    def __init__(
        self,
        base_url: str,
        credential: str,
        *,
        public_base_url: str,
        vin: str = DEMO_VIN,
        ecus: list[agent_pb2.EcuReport] | None = None,
        job_seconds: float = 0.0,
        outcome: int = agent_pb2.JOB_OUTCOME_SUCCEEDED,
        report_gate: asyncio.Event | None = None,
        battery_volts: tuple[float, float, float] | None = None,
    ) -> None:
        self.base_url = base_url
        self.credential = credential
        self.public_base_url = public_base_url
        self.vin = vin
        self.ecus = {ecu.logical_address: ecu for ecu in (ecus or demo_ecus())}
        self.job_seconds = job_seconds
        self.outcome = outcome
        # When set, a vehicle report is sent only once the gate opens (a slow car).
        self.report_gate = report_gate
        # (at start, min, max) the results report; None: not read (an ECU without the DID).
        self.battery_volts = battery_volts
        self.read_requests = asyncio.Event()
        self.start_jobs: list[agent_pb2.StartJob] = []
        self.keys: list[tuple[int, bytes, bytes]] = []  # (level, seed, key) per job
        self.images: dict[str, bytes] = {}
        self.acked_results: set[int] = set()
        self._seq = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[agent_pb2.AgentFrame]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.ws: ClientConnection | None = None
        self.agent_id = ""

    async def connect(self, *, max_protocol_version: int = 1) -> agent_pb2.AgentFrame:
        """Open the WebSocket, send Hello and return the service's first answer."""
        url = "ws" + self.base_url.removeprefix("http") + "/agent/ws"
        self.ws = await websockets.asyncio.client.connect(
            url, additional_headers={"Authorization": f"Bearer {self.credential}"}
        )
        await self.send(
            agent_pb2.AgentFrame(
                hello=agent_pb2.Hello(
                    min_protocol_version=min(1, max_protocol_version),
                    max_protocol_version=max_protocol_version,
                    agent_version="0.0.1-test",
                    hostname="bench",
                )
            )
        )
        return agent_pb2.AgentFrame.FromString(await self.ws.recv(decode=False))

    async def send(self, frame: agent_pb2.AgentFrame) -> int:
        assert self.ws is not None
        frame.seq = next(self._seq)
        await self.ws.send(frame.SerializeToString())
        return frame.seq

    async def request(self, frame: agent_pb2.AgentFrame) -> agent_pb2.AgentFrame:
        future: asyncio.Future[agent_pb2.AgentFrame] = asyncio.get_running_loop().create_future()
        seq = await self.send_registered(frame, future)
        try:
            return await asyncio.wait_for(future, 10)
        finally:
            self._waiting.pop(seq, None)

    async def send_registered(
        self, frame: agent_pb2.AgentFrame, future: asyncio.Future[agent_pb2.AgentFrame]
    ) -> int:
        assert self.ws is not None
        frame.seq = next(self._seq)
        self._waiting[frame.seq] = future
        await self.ws.send(frame.SerializeToString())
        return frame.seq

    async def serve(self) -> None:
        """Answer the service until the connection closes."""
        assert self.ws is not None
        with contextlib.suppress(websockets.exceptions.ConnectionClosed):
            async for data in self.ws:
                assert isinstance(data, bytes)
                frame = agent_pb2.AgentFrame.FromString(data)
                waiter = self._waiting.get(frame.reply_to) if frame.reply_to else None
                if waiter is not None and not waiter.done():
                    waiter.set_result(frame)
                    continue
                body = frame.WhichOneof("body")
                if body == "read_vehicle":
                    self.read_requests.set()
                    if self.report_gate is None:
                        await self.send(self.report(reply_to=frame.seq))
                    else:
                        task = asyncio.create_task(self.report_later(frame.seq))
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
                elif body == "start_job":
                    self.start_jobs.append(frame.start_job)
                    task = asyncio.create_task(self.flash(frame.start_job))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)

    async def report_later(self, reply_to: int) -> None:
        assert self.report_gate is not None
        await self.report_gate.wait()
        await self.send(self.report(reply_to=reply_to))

    def report(self, *, reply_to: int) -> agent_pb2.AgentFrame:
        return agent_pb2.AgentFrame(
            reply_to=reply_to,
            vehicle_report=agent_pb2.VehicleReport(
                vin=self.vin, ecus=list(self.ecus.values()), read_at=timestamp(datetime.now(UTC))
            ),
        )

    async def flash(self, job: agent_pb2.StartJob) -> None:
        path = job.image_url.removeprefix(self.public_base_url)
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            half = job.image_size // 2
            first = await http.get(
                path,
                headers={"X-Download-Token": job.download_token, "Range": f"bytes=0-{half - 1}"},
            )
            rest = await http.get(
                path, headers={"X-Download-Token": job.download_token, "Range": f"bytes={half}-"}
            )
        assert first.status_code == rest.status_code == 206, (first.text, rest.text)
        image = first.content + rest.content
        self.images[job.job_id] = image
        assert hashlib.sha256(image).digest() == job.image_sha256
        # As the real agent: the unlock phase is reported before the key is asked for.
        await self.send(
            agent_pb2.AgentFrame(
                job_progress=agent_pb2.JobProgress(
                    job_id=job.job_id, phase=agent_pb2.JOB_PHASE_PREPARING
                )
            )
        )
        seed = secrets.token_bytes(3) + b"\x01"
        answer = await self.request(
            agent_pb2.AgentFrame(
                security_key_request=agent_pb2.SecurityKeyRequest(
                    job_id=job.job_id,
                    ecu_logical_address=job.ecu_logical_address,
                    level=job.security_level,
                    seed=seed,
                )
            )
        )
        self.keys.append((job.security_level, seed, answer.security_key_answer.key))
        await self.send(
            agent_pb2.AgentFrame(
                job_progress=agent_pb2.JobProgress(
                    job_id=job.job_id,
                    phase=agent_pb2.JOB_PHASE_TRANSFERRING,
                    bytes_done=len(image) // 2,
                    bytes_total=len(image),
                )
            )
        )
        records = [
            agent_pb2.UdsTraceRecord(service_id=0x10, positive=True),
            agent_pb2.UdsTraceRecord(service_id=0x10, positive=True),
            agent_pb2.UdsTraceRecord(service_id=0x31, positive=False, nrc=0x78),
            agent_pb2.UdsTraceRecord(service_id=0x31, positive=True),
            agent_pb2.UdsTraceRecord(service_id=0x36, positive=True, block_counter=1),
            agent_pb2.UdsTraceRecord(service_id=0x36, positive=True, block_counter=1, retried=True),
        ]
        await self.send(
            agent_pb2.AgentFrame(uds_trace=agent_pb2.UdsTrace(job_id=job.job_id, records=records))
        )
        await asyncio.sleep(self.job_seconds)
        succeeded = self.outcome == agent_pb2.JOB_OUTCOME_SUCCEEDED
        if succeeded:
            self.ecus[job.ecu_logical_address].software_version = job.target_version
            self.ecus[job.ecu_logical_address].in_bootloader = False
        result = agent_pb2.JobResult(
            job_id=job.job_id,
            outcome=self.outcome,  # type: ignore[arg-type]
            version_after=job.target_version if succeeded else "",
            detail="" if succeeded else "check memory: CRC mismatch",
            bytes_transferred=len(image),
            retried_blocks=1,
        )
        if self.battery_volts is not None:
            result.has_battery_volts = True
            (
                result.battery_volts_at_start,
                result.battery_volts_min,
                result.battery_volts_max,
            ) = self.battery_volts
        ack = await self.request(agent_pb2.AgentFrame(job_result=result))
        if ack.WhichOneof("body") == "heartbeat":
            self.acked_results.add(ack.reply_to)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self.ws is not None:
            await self.ws.close()


AgentFactory = Callable[..., Awaitable[FakeAgent]]


@pytest.fixture
async def paired_agent(
    server: str, http: httpx.AsyncClient, auth: Auth, settings: Settings
) -> AsyncIterator[AgentFactory]:
    """Pair a new agent of ``organization_id`` and connect it (Welcome checked); it answers the
    service in a background task until the test ends."""
    agents: list[FakeAgent] = []
    serving: list[asyncio.Task[None]] = []

    async def make(organization_id: uuid.UUID, **options: Any) -> FakeAgent:
        code = await http.post("/agents/pairing-codes", headers=auth(organization_id))
        paired = await http.post("/agents/pair", json={"code": code.json()["code"], "name": "bay"})
        assert paired.status_code == 201, paired.text
        agent = FakeAgent(
            server,
            paired.json()["credential"],
            public_base_url=settings.public_base_url,
            **options,
        )
        agent.agent_id = paired.json()["agent_id"]
        welcome = await agent.connect()
        assert welcome.WhichOneof("body") == "welcome", welcome
        agents.append(agent)
        serving.append(asyncio.create_task(agent.serve()))
        return agent

    yield make
    for agent in agents:
        await agent.close()
    for task in serving:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
async def agent_connection(server: str, settings: Settings) -> AsyncIterator[AgentFactory]:
    """Open one more connection with an agent's credential (Welcome checked), answered in the
    background like ``paired_agent``: e.g. a second connection beside the agent's own."""
    agents: list[FakeAgent] = []
    serving: list[asyncio.Task[None]] = []

    async def make(credential: str, **options: Any) -> FakeAgent:
        agent = FakeAgent(server, credential, public_base_url=settings.public_base_url, **options)
        welcome = await agent.connect()
        assert welcome.WhichOneof("body") == "welcome", welcome
        agent.agent_id = welcome.welcome.agent_id
        agents.append(agent)
        serving.append(asyncio.create_task(agent.serve()))
        return agent

    yield make
    for agent in agents:
        await agent.close()
    for task in serving:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
def fake_agent_class() -> type[FakeAgent]:
    """The test-side agent class, for tests that connect it themselves (to other processes)."""
    return FakeAgent
