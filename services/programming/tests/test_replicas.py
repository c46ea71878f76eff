"""Two programming replicas (real uvicorn processes) on one database.

An agent connected to replica A is used through replica B: the flash is planned, started and
followed there. Replica A is killed mid-flash: the agent reconnects to B, B takes the session's
runner over and the session completes with the job flashed once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from aos.agent.v1 import agent_pb2
from aos.events.v1 import billing_pb2
from programming.config import Settings
from programming.consumers.entitlements import handle_entitlement_granted
from programming.main import MIGRATIONS_DIR, seed
from programming.services.ecu_secrets import load_secret_cipher
from programming.services.signing import load_release_key
from programming.testing import PREFLIGHT
from servicekit.db import Database
from servicekit.testing import DatabaseFactory, TestTokenIssuer, incoming_event, timestamp

# The start body: the pre-flight checklist confirmed at the vehicle.


VIN = "WBA5F3103MFX12345"
PUBLIC_BASE_URL = "http://127.0.0.1:9/api/programming"  # agents strip it; never dialled
START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Replica:
    name: str
    url: str
    process: asyncio.subprocess.Process
    log: Path

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs (its leases and locks are left as a crash leaves
        them)."""
        os.kill(self.process.pid, signal.SIGKILL)
        await asyncio.wait_for(self.process.wait(), 10)


@dataclass
class Cluster:
    replicas: dict[str, Replica]
    database_url: str
    issuer: TestTokenIssuer
    credentials: dict[str, str] = field(default_factory=dict)

    def headers(self, organization_id: uuid.UUID) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.issuer.token(organization_id=organization_id)}"}


async def _serve_jwks(issuer: TestTokenIssuer) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    async def jwks(_: Request) -> JSONResponse:
        return JSONResponse(issuer.jwks())

    app = Starlette(routes=[Route("/.well-known/jwks.json", jwks)])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:
            await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, task, f"http://127.0.0.1:{port}/.well-known/jwks.json"


async def _wait_ready(replica: Replica) -> None:
    async with httpx.AsyncClient(base_url=replica.url, timeout=2) as http:
        for _ in range(START_TIMEOUT_S * 10):
            if replica.process.returncode is not None:
                break
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise AssertionError(f"replica {replica.name} did not start:\n{replica.log.read_text()}")


@pytest.fixture(scope="module")
async def cluster(
    database_factory: DatabaseFactory,
    kafka_bootstrap_servers: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Cluster]:
    """Replicas A and B as separate processes on one fresh database (migrated and seeded
    once, keys made once and shared), with token keys served over HTTP. One pair for the
    module (starting a process is the slow part); the kill test comes last and kills A."""
    tmp_path = tmp_path_factory.mktemp("replicas")
    topic_namespace = f"t{uuid.uuid4().hex[:10]}."
    database_url = await database_factory.create(MIGRATIONS_DIR)
    key_file, secrets_file = tmp_path / "keys" / "release.pem", tmp_path / "keys" / "secret-keys"
    settings = Settings(
        database_url=database_url,
        environment="test",
        release_signing_key_file=key_file,
        secret_keys_file=secrets_file,
    )
    database = Database(database_url)
    try:
        await seed(database, load_release_key(settings), load_secret_cipher(settings))
    finally:
        await database.dispose()
    issuer = TestTokenIssuer()
    jwks_server, jwks_task, jwks_url = await _serve_jwks(issuer)
    replicas: dict[str, Replica] = {}
    try:
        for name in ("A", "B"):
            port = free_port()
            log = tmp_path / f"replica-{name}.log"
            env = {
                **os.environ,
                "AOS_ENVIRONMENT": "test",
                "AOS_JWKS_URL": jwks_url,
                "AOS_TOPIC_NAMESPACE": topic_namespace,
                "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap_servers,
                "PROGRAMMING_DATABASE_URL": database_url,
                "PROGRAMMING_MIGRATE_ON_START": "false",
                "PROGRAMMING_SEED_ON_START": "false",
                "PROGRAMMING_RUN_BACKGROUND_WORKERS": "false",
                "PROGRAMMING_RELEASE_SIGNING_KEY_FILE": str(key_file),
                "PROGRAMMING_SECRET_KEYS_FILE": str(secrets_file),
                "PROGRAMMING_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
                "PROGRAMMING_REPLICA_NAME": f"replica-{name}",
                # A read that is not answered must not look like "the replica died" below.
                "PROGRAMMING_VEHICLE_READ_TIMEOUT_SECONDS": "60",
            }
            with log.open("wb") as out:
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    *("-m", "programming", "serve", "--port", str(port)),
                    env=env,
                    stdout=out,
                    stderr=asyncio.subprocess.STDOUT,
                )
            replicas[name] = Replica(name, f"http://127.0.0.1:{port}", process, log)
        for replica in replicas.values():
            await _wait_ready(replica)
        yield Cluster(replicas=replicas, database_url=database_url, issuer=issuer)
    finally:
        for replica in replicas.values():
            if replica.process.returncode is None:
                replica.process.terminate()
                try:
                    await asyncio.wait_for(replica.process.wait(), 15)
                except TimeoutError:
                    await replica.kill()
        jwks_server.should_exit = True
        await asyncio.wait_for(jwks_task, 10)


async def _grant(database_url: str, organization_id: uuid.UUID) -> None:
    start = datetime.now(UTC) - timedelta(minutes=5)
    message = billing_pb2.EntitlementGranted(
        entitlement_id=str(uuid.uuid4()),
        organization_id=str(organization_id),
        scope=billing_pb2.SCOPE_PROGRAMMING,
        valid_from=timestamp(start),
        valid_until=timestamp(start + timedelta(hours=2)),
        order_id=str(uuid.uuid4()),
    )
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            await handle_entitlement_granted(
                session,
                incoming_event(message, source="billing", aggregate_id=str(organization_id)),
            )
    finally:
        await database.dispose()


async def _paired_credential(cluster: Cluster, organization_id: uuid.UUID) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=cluster.replicas["A"].url, timeout=10) as http:
        code = await http.post("/agents/pairing-codes", headers=cluster.headers(organization_id))
        paired = await http.post("/agents/pair", json={"code": code.json()["code"], "name": "bay"})
    assert paired.status_code == 201, paired.text
    return paired.json()["agent_id"], paired.json()["credential"]


Events = list[tuple[str, dict[str, Any]]]


async def _follow(
    http: httpx.AsyncClient,
    session_id: str,
    headers: dict[str, str],
    events: Events,
    *,
    started: asyncio.Event,
) -> None:
    """Collect the session's server-sent events until the stream ends."""
    async with http.stream("GET", f"/sessions/{session_id}/events", headers=headers) as stream:
        kind = ""
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data = json.loads(line.removeprefix("data: "))
                events.append((kind, {**data, "received_at": time.monotonic()}))
                started.set()


async def _until(check: Callable[[], bool], *, what: str, within: float = 30) -> None:
    """Only against a hang: poll the state until ``check`` holds."""
    try:
        async with asyncio.timeout(within):
            while not check():
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"never happened: {what}") from None


AgentClass = Callable[..., Any]


async def _connect(agent_class: AgentClass, url: str, credential: str, **options: Any) -> Any:
    agent = agent_class(url, credential, public_base_url=PUBLIC_BASE_URL, **options)
    welcome = await agent.connect()
    assert welcome.WhichOneof("body") == "welcome", welcome
    agent.agent_id = welcome.welcome.agent_id
    agent.serving = asyncio.create_task(agent.serve())
    return agent


async def _close(agent: Any) -> None:
    await agent.close()
    agent.serving.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await agent.serving


async def test_an_agent_on_replica_a_flashes_a_session_started_and_followed_through_b(
    cluster: Cluster, fake_agent_class: AgentClass
) -> None:
    a, b = cluster.replicas["A"], cluster.replicas["B"]
    organization_id = uuid.uuid4()
    headers = cluster.headers(organization_id)
    await _grant(cluster.database_url, organization_id)
    agent_id, credential = await _paired_credential(cluster, organization_id)
    agent = await _connect(fake_agent_class, a.url, credential, job_seconds=0.3)
    try:
        async with httpx.AsyncClient(base_url=b.url, timeout=30) as http:
            listed = (await http.get("/agents", headers=headers)).json()["items"]
            assert [(item["id"], item["online"]) for item in listed] == [(agent_id, True)]
            # Reading the car through B: B asks A, A asks the agent.
            vehicle = await http.get(f"/agents/{agent_id}/vehicle", headers=headers)
            assert vehicle.status_code == 200, vehicle.text
            assert vehicle.json()["vin"] == VIN
            planned = await http.post(
                "/sessions", json={"agent_id": agent_id, "vin": VIN}, headers=headers
            )
            assert planned.status_code == 201, planned.text
            session_id = planned.json()["id"]
            events: Events = []
            following = asyncio.Event()
            follower = asyncio.create_task(
                _follow(http, session_id, headers, events, started=following)
            )
            await asyncio.wait_for(following.wait(), 10)
            started = await http.post(
                f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers
            )
            assert started.status_code == 202, started.text
            await asyncio.wait_for(follower, 60)  # the stream ends with the session
            report = (await http.get(f"/sessions/{session_id}/report", headers=headers)).json()
    finally:
        await _close(agent)

    kinds = [kind for kind, _ in events]
    assert kinds[0] == "snapshot"
    phases = [data["phase"] for kind, data in events if kind == "progress"]
    assert "PREPARING" in phases and "TRANSFERRING" in phases  # relayed from A to B
    assert events[-1] == ("session", events[-1][1]) and events[-1][1]["state"] == "COMPLETED"
    assert report["session"]["state"] == "COMPLETED"
    assert [job["state"] for job in report["session"]["jobs"]] == ["SUCCEEDED"]
    assert {v["name"]: v["after"] for v in report["versions"]}["DME"] == "1.1.0"
    # The job was bound to the agent's connection on A, where its key request was answered.
    assert len(agent.start_jobs) == 1
    [(_, _, key)] = agent.keys
    assert len(key) == 4


async def _replica_listed(database_url: str, name: str) -> bool:
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            found = await session.scalar(
                text("SELECT count(*) FROM replicas WHERE name = :name"), {"name": name}
            )
    finally:
        await database.dispose()
    return bool(found)


def _key_request(job: agent_pb2.StartJob, seed: bytes) -> agent_pb2.AgentFrame:
    return agent_pb2.AgentFrame(
        security_key_request=agent_pb2.SecurityKeyRequest(
            job_id=job.job_id,
            ecu_logical_address=job.ecu_logical_address,
            level=job.security_level,
            seed=seed,
        )
    )


def _unlocking(job: agent_pb2.StartJob) -> agent_pb2.AgentFrame:
    return agent_pb2.AgentFrame(
        job_progress=agent_pb2.JobProgress(job_id=job.job_id, phase=agent_pb2.JOB_PHASE_PREPARING)
    )


def _answer(frame: agent_pb2.AgentFrame) -> str:
    """The key request's outcome: "key", or the refusal's code."""
    if frame.WhichOneof("body") == "security_key_answer":
        return "key"
    assert frame.WhichOneof("body") == "error", frame
    return frame.error.code


async def test_after_a_reconnect_to_b_the_old_connection_on_a_gets_no_key_and_no_command(
    cluster: Cluster, fake_agent_class: AgentClass
) -> None:
    """The agent's link to A is cut without A noticing (its socket stays open), and the agent
    reconnects to B. From then on its lease names B: keys and commands go to the connection
    on B, and what still arrives on the old connection on A is refused."""
    a, b = cluster.replicas["A"], cluster.replicas["B"]
    organization_id = uuid.uuid4()
    headers = cluster.headers(organization_id)
    await _grant(cluster.database_url, organization_id)
    agent_id, credential = await _paired_credential(cluster, organization_id)
    started: asyncio.Queue[agent_pb2.StartJob] = asyncio.Queue()

    async def hold(job: agent_pb2.StartJob) -> None:  # the test plays the flash
        await started.put(job)

    old = await _connect(fake_agent_class, a.url, credential)
    old.flash = hold
    new = None
    try:
        async with (
            httpx.AsyncClient(base_url=a.url, timeout=30) as on_a,
            httpx.AsyncClient(base_url=b.url, timeout=30) as on_b,
        ):
            planned = await on_b.post(
                "/sessions", json={"agent_id": agent_id, "vin": VIN}, headers=headers
            )
            assert planned.status_code == 201, planned.text
            session_id = planned.json()["id"]
            # Started through B: B's runner sends the job to the agent's connection on A.
            assert (
                await on_b.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
            ).status_code == 202
            job = await asyncio.wait_for(started.get(), 20)
            await old.send(_unlocking(job))
            assert _answer(await old.request(_key_request(job, b"\x01\x01\x01\x01"))) == "key"

            new = await _connect(fake_agent_class, b.url, credential)
            old.read_requests.clear()
            # The old connection on A is stale: no key, and its phase reports move nothing.
            assert _answer(await old.request(_key_request(job, b"\x02\x02\x02\x02"))) == (
                "stale-connection"
            )
            # The job moves to the agent's connection on B, which gets the key.
            await new.send(_unlocking(job))
            assert _answer(await new.request(_key_request(job, b"\x03\x03\x03\x03"))) == "key"
            assert _answer(await old.request(_key_request(job, b"\x04\x04\x04\x04"))) == (
                "stale-connection"
            )
            # A command given through A goes to the agent's current connection, on B.
            vehicle = await on_a.get(f"/agents/{agent_id}/vehicle", headers=headers)
            assert vehicle.status_code == 200, vehicle.text
            assert new.read_requests.is_set()
            assert not old.read_requests.is_set()
            # The result comes on the new connection; the closing read goes there too.
            ack = await new.request(
                agent_pb2.AgentFrame(
                    job_result=agent_pb2.JobResult(
                        job_id=job.job_id,
                        outcome=agent_pb2.JOB_OUTCOME_SUCCEEDED,
                        version_after=job.target_version,
                        bytes_transferred=job.image_size,
                    )
                )
            )
            assert ack.WhichOneof("body") == "heartbeat"

            async def state() -> str:
                body = (await on_a.get(f"/sessions/{session_id}", headers=headers)).json()
                return str(body["state"])

            async with asyncio.timeout(30):
                while await state() == "RUNNING":
                    await asyncio.sleep(0.05)
            assert await state() == "COMPLETED"
            assert not old.read_requests.is_set()
    finally:
        await _close(old)
        if new is not None:
            await _close(new)


async def test_a_replica_frozen_with_a_key_request_pending_answers_it_stale_once_it_wakes(
    cluster: Cluster, fake_agent_class: AgentClass
) -> None:
    """Replica A stops (SIGSTOP) while the agent's key request waits on it, for longer than
    the dead-after time: B counts A dead, the agent reconnects to B and gets its key there.
    When A wakes, it answers the pending request as stale and does not take the agent's lease
    back (the agent's commands keep going to B)."""
    a, b = cluster.replicas["A"], cluster.replicas["B"]
    organization_id = uuid.uuid4()
    headers = cluster.headers(organization_id)
    await _grant(cluster.database_url, organization_id)
    agent_id, credential = await _paired_credential(cluster, organization_id)
    started: asyncio.Queue[agent_pb2.StartJob] = asyncio.Queue()

    async def hold(job: agent_pb2.StartJob) -> None:
        await started.put(job)

    old = await _connect(fake_agent_class, a.url, credential)
    old.flash = hold
    new = None
    frozen = False
    try:
        async with (
            httpx.AsyncClient(base_url=a.url, timeout=30) as on_a,
            httpx.AsyncClient(base_url=b.url, timeout=30) as on_b,
        ):
            planned = await on_b.post(
                "/sessions", json={"agent_id": agent_id, "vin": VIN}, headers=headers
            )
            session_id = planned.json()["id"]
            # B runs the session: freezing A does not move the runner.
            assert (
                await on_b.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
            ).status_code == 202
            job = await asyncio.wait_for(started.get(), 20)
            await old.send(_unlocking(job))
            assert _answer(await old.request(_key_request(job, b"\x01\x01\x01\x01"))) == "key"

            os.kill(a.process.pid, signal.SIGSTOP)
            frozen = True
            pending: asyncio.Future[agent_pb2.AgentFrame] = (
                asyncio.get_running_loop().create_future()
            )
            await old.send_registered(_key_request(job, b"\x02\x02\x02\x02"), pending)

            async def online_via_b() -> bool:
                items = (await on_b.get("/agents", headers=headers)).json()["items"]
                return bool(items[0]["online"])

            async with asyncio.timeout(30):  # A's heartbeat stops; B counts it dead ...
                while await online_via_b():
                    await asyncio.sleep(0.1)
                # ... and removes its row, and with it A's leases.
                while await _replica_listed(cluster.database_url, "replica-A"):
                    await asyncio.sleep(0.1)
            new = await _connect(fake_agent_class, b.url, credential)
            await new.send(_unlocking(job))
            assert _answer(await new.request(_key_request(job, b"\x03\x03\x03\x03"))) == "key"

            os.kill(a.process.pid, signal.SIGCONT)
            frozen = False
            assert _answer(await asyncio.wait_for(pending, 20)) == "stale-connection"
            # A is back: its row, swept by B, is written again (with the leases of its agents
            # that did not move) ...
            async with asyncio.timeout(20):
                while not await _replica_listed(cluster.database_url, "replica-A"):
                    await asyncio.sleep(0.1)
            # ... and the agent's lease stayed with B: a command given through A goes there.
            old.read_requests.clear()
            new.read_requests.clear()
            vehicle = await on_a.get(f"/agents/{agent_id}/vehicle", headers=headers)
            assert vehicle.status_code == 200, vehicle.text
            assert new.read_requests.is_set() and not old.read_requests.is_set()
            assert _answer(await old.request(_key_request(job, b"\x04\x04\x04\x04"))) == (
                "stale-connection"
            )
            ack = await new.request(
                agent_pb2.AgentFrame(
                    job_result=agent_pb2.JobResult(
                        job_id=job.job_id,
                        outcome=agent_pb2.JOB_OUTCOME_SUCCEEDED,
                        version_after=job.target_version,
                        bytes_transferred=job.image_size,
                    )
                )
            )
            assert ack.WhichOneof("body") == "heartbeat"
            async with asyncio.timeout(30):
                while (await on_b.get(f"/sessions/{session_id}", headers=headers)).json()[
                    "state"
                ] == "RUNNING":
                    await asyncio.sleep(0.05)
            body = (await on_b.get(f"/sessions/{session_id}", headers=headers)).json()
            assert body["state"] == "COMPLETED", body
    finally:
        if frozen:
            os.kill(a.process.pid, signal.SIGCONT)
        await _close(old)
        if new is not None:
            await _close(new)


async def test_replica_a_killed_mid_flash_the_agent_reconnects_to_b_which_completes_the_session(
    cluster: Cluster, fake_agent_class: AgentClass
) -> None:
    a, b = cluster.replicas["A"], cluster.replicas["B"]
    organization_id = uuid.uuid4()
    headers = cluster.headers(organization_id)
    await _grant(cluster.database_url, organization_id)
    agent_id, credential = await _paired_credential(cluster, organization_id)
    # The flash "takes long": the agent is in the middle of it when A dies.
    first = await _connect(fake_agent_class, a.url, credential, job_seconds=600)
    events: Events = []
    async with (
        httpx.AsyncClient(base_url=a.url, timeout=30) as on_a,
        httpx.AsyncClient(base_url=b.url, timeout=70) as on_b,
    ):
        planned = await on_a.post(
            "/sessions", json={"agent_id": agent_id, "vin": VIN}, headers=headers
        )
        session_id = planned.json()["id"]
        following = asyncio.Event()
        follower = asyncio.create_task(
            _follow(on_b, session_id, headers, events, started=following)
        )
        await asyncio.wait_for(following.wait(), 10)
        # Started through A: A's runner sends the job; B only watches.
        assert (
            await on_a.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
        ).status_code == 202
        await _until(
            lambda: any(d.get("phase") == "TRANSFERRING" for k, d in events if k == "progress"),
            what="the flash reached its transfer",
        )
        seen_before_kill = len(events)
        killed_at = time.monotonic()
        await a.kill()
        await _close(first)

        # Before the agent is back: a command for it does not wait for the long read timeout
        # (60 s here, 504 agent-timeout) but answers "agent offline" once A counts as dead.
        offline = await on_b.get(f"/agents/{agent_id}/vehicle", headers=headers)
        assert offline.status_code == 409, offline.text
        assert offline.json()["code"] == "agent-offline"

        second = await _connect(fake_agent_class, b.url, credential)
        try:
            # B takes the runner over: its runner announces the job in flight.
            await _until(
                lambda: any(
                    kind == "job" and data["state"] == "RUNNING"
                    for kind, data in events[seen_before_kill:]
                ),
                what="B took the session over",
            )
            # Reported, not asserted (-s shows it): kill → B's runner announces the job.
            taken_at = next(
                data["received_at"]
                for kind, data in events[seen_before_kill:]
                if kind == "job" and data["state"] == "RUNNING"
            )
            print(f"takeover {taken_at - killed_at:.2f} s after the kill")
            [job] = first.start_jobs
            # Resuming after a reconnect elsewhere, the agent unlocks the ECU again: the job
            # moves to its connection on B, which answers the key.
            await second.send(
                agent_pb2.AgentFrame(
                    job_progress=agent_pb2.JobProgress(
                        job_id=job.job_id, phase=agent_pb2.JOB_PHASE_PREPARING
                    )
                )
            )
            key = await second.request(
                agent_pb2.AgentFrame(
                    security_key_request=agent_pb2.SecurityKeyRequest(
                        job_id=job.job_id,
                        ecu_logical_address=job.ecu_logical_address,
                        level=job.security_level,
                        seed=b"\x01\x02\x03\x04",
                    )
                )
            )
            assert key.WhichOneof("body") == "security_key_answer", key
            assert len(key.security_key_answer.key) == 4
            # As the real agent after a reconnect: it sends its journaled result again.
            ack = await second.request(
                agent_pb2.AgentFrame(
                    job_result=agent_pb2.JobResult(
                        job_id=job.job_id,
                        outcome=agent_pb2.JOB_OUTCOME_SUCCEEDED,
                        version_after=job.target_version,
                        bytes_transferred=job.image_size,
                    )
                )
            )
            assert ack.WhichOneof("body") == "heartbeat"
            second.ecus[job.ecu_logical_address].software_version = job.target_version
            await asyncio.wait_for(follower, 60)
            session = (await on_b.get(f"/sessions/{session_id}", headers=headers)).json()
        finally:
            await _close(second)

    assert session["state"] == "COMPLETED", session
    assert [j["state"] for j in session["jobs"]] == ["SUCCEEDED"]
    assert events[-1][0] == "session" and events[-1][1]["state"] == "COMPLETED"
    # The job ran once: sent once, to the first connection; B did not send it again.
    assert len(first.start_jobs) == 1 and second.start_jobs == []
