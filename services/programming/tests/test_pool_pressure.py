"""A small database pool under pressure: a reconnect storm of agents, and a session runner that
finds no free connection for a while (real PostgreSQL, real WebSockets, a pool of one
connection plus one overflow)."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import websockets
from fastapi import FastAPI
from prometheus_client import REGISTRY

from aos.agent.v1 import agent_pb2
from programming.config import Settings
from programming.testing import PREFLIGHT

AgentFactory = Callable[..., Awaitable[Any]]
Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]

# The start body: the pre-flight checklist confirmed at the vehicle.


VIN = "WBA5F3103MFX12345"
TERMINAL = {"COMPLETED", "EXPIRED", "ABORTED", "FAILED"}
STORM_AGENTS = 120
CLOSE_TRY_AGAIN_LATER = 1013


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        # Two connections in all; a unit of work waiting half a second for one fails.
        "database_pool_size": 1,
        "database_pool_timeout_seconds": 0.5,
        "agent_admission_concurrency": 1,
        "agent_admission_wait_seconds": 1.0,
        # The test's agents send no heartbeats of their own: a storm that takes long on a
        # loaded machine must not see the first ones closed as silent (3 intervals).
        "heartbeat_interval_seconds": 120,
    }


async def _session_state(
    http: httpx.AsyncClient, session_id: str, headers: dict[str, str], *, within: float = 60
) -> dict[str, Any]:
    async with asyncio.timeout(within):
        while True:
            response = await http.get(f"/sessions/{session_id}", headers=headers)
            if response.status_code == 200 and response.json()["state"] in TERMINAL:
                body: dict[str, Any] = response.json()
                return body
            await asyncio.sleep(0.1)


async def _plan_and_start(http: httpx.AsyncClient, headers: dict[str, str], agent: Any) -> str:
    planned = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
    )
    assert planned.status_code == 201, planned.text
    session_id: str = planned.json()["id"]
    started = await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    assert started.status_code == 202, started.text
    return session_id


async def test_a_storm_of_agents_connecting_at_once_all_end_online_and_a_flash_completes(
    http: httpx.AsyncClient,
    server: str,
    auth: Auth,
    grant: Grant,
    paired_agent: AgentFactory,
    fake_agent_class: Any,
    settings: Settings,
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    flashing = await paired_agent(organization_id, job_seconds=1.0)
    credentials = []
    for _ in range(STORM_AGENTS):
        code = await http.post("/agents/pairing-codes", headers=headers)
        paired = await http.post("/agents/pair", json={"code": code.json()["code"], "name": "b"})
        assert paired.status_code == 201, paired.text
        credentials.append(paired.json()["credential"])
    refused_before = REGISTRY.get_sample_value("aos_programming_agent_connections_refused_total")
    session_id = await _plan_and_start(http, headers, flashing)

    refusals: list[tuple[int, str] | None] = []

    async def connect(credential: str) -> Any:
        """As the real agent: a refusal before Welcome is retried after a jittered backoff."""
        for attempt in range(200):
            agent = fake_agent_class(server, credential, public_base_url=settings.public_base_url)
            try:
                welcome = await agent.connect()
            except websockets.exceptions.ConnectionClosed as closed:
                refusals.append((closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else None)
                await asyncio.sleep(random.uniform(0, min(2.0, 0.25 * 2**attempt)))
                continue
            assert welcome.WhichOneof("body") == "welcome", welcome
            return agent
        raise AssertionError("an agent was never let in")

    async with asyncio.timeout(240):  # only against a hang; a loaded machine is slow
        storm = await asyncio.gather(*(connect(credential) for credential in credentials))
    try:
        listed = await http.get("/agents", headers=headers)
        assert listed.status_code == 200, listed.text
        items = listed.json()["items"]
        assert len(items) == STORM_AGENTS + 1
        assert all(item["online"] for item in items), [i for i in items if not i["online"]]
        ended = await _session_state(http, session_id, headers)
        assert ended["state"] == "COMPLETED", ended
        assert [job["state"] for job in ended["jobs"]] == ["SUCCEEDED"]
        refused_after = REGISTRY.get_sample_value("aos_programming_agent_connections_refused_total")
        # Every agent the service refused was told to come back later, and was counted.
        assert {refusal for refusal in refusals} <= {
            (CLOSE_TRY_AGAIN_LATER, "the service is busy; connect again in a few seconds")
        }
        assert (refused_after or 0) - (refused_before or 0) == len(refusals)
    finally:
        for agent in storm:
            await agent.close()


async def test_a_runner_that_meets_a_pool_timeout_carries_on_and_completes_the_session(
    app: FastAPI,
    http: httpx.AsyncClient,
    auth: Auth,
    grant: Grant,
    paired_agent: AgentFactory,
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    planned = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
    )
    assert planned.status_code == 201, planned.text
    session_id = planned.json()["id"]
    # The closing vehicle read is held back until the pool is taken.
    agent.report_gate = asyncio.Event()
    agent.read_requests.clear()
    assert (
        await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    ).status_code == 202
    await asyncio.wait_for(agent.read_requests.wait(), 20)

    retries = "aos_programming_session_runner_retries_total"
    before = REGISTRY.get_sample_value(retries) or 0.0
    engine = app.state.database.engine
    taken = [await engine.connect() for _ in range(2)]  # the whole pool
    try:
        agent.report_gate.set()  # the runner's next step needs a connection and finds none
        async with asyncio.timeout(20):
            while (REGISTRY.get_sample_value(retries) or 0.0) <= before:
                await asyncio.sleep(0.05)
    finally:
        for connection in taken:
            await connection.close()

    ended = await _session_state(http, session_id, headers)
    assert ended["state"] == "COMPLETED", ended
    assert [job["state"] for job in ended["jobs"]] == ["SUCCEEDED"]
    report = await http.get(f"/sessions/{session_id}/report", headers=headers)
    assert report.status_code == 200, report.text
    # The closing read made before the timeout was kept: the report has the flashed version.
    assert "1.1.0" in report.text


async def test_a_frame_that_finds_no_database_is_answered_busy_and_the_link_stays_up(
    app: FastAPI, paired_agent: AgentFactory
) -> None:
    agent = await paired_agent(uuid.uuid4())
    request = agent_pb2.AgentFrame(
        security_key_request=agent_pb2.SecurityKeyRequest(
            job_id=str(uuid.uuid4()), ecu_logical_address=0x12, level=0x11, seed=b"\x01\x02"
        )
    )
    engine = app.state.database.engine
    taken = [await engine.connect() for _ in range(2)]  # the whole pool
    try:
        busy = await agent.request(request)
    finally:
        for connection in taken:
            await connection.close()
    assert busy.WhichOneof("body") == "error", busy
    assert busy.error.code == "service-unavailable"
    assert "again" in busy.error.message
    # The same connection is served again once the database is back.
    answer = await agent.request(request)
    assert answer.WhichOneof("body") == "error" and answer.error.code == "unknown-job", answer
