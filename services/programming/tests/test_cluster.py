"""Replica bookkeeping inside one process: leases are used only while their replica lives, a
command for an agent whose replica died answers "agent offline" quickly, and a replica that
loses its lock connection stops its runners at once (fencing) and takes the session back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from aos.agent.v1 import agent_pb2
from programming.services.session_locks import APPLICATION_NAME
from programming.testing import PREFLIGHT

Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]
AgentFactory = Callable[..., Awaitable[Any]]
# The start body: the pre-flight checklist confirmed at the vehicle.


VIN = "WBA5F3103MFX12345"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"replica_dead_after_seconds": 1.0, "replica_heartbeat_seconds": 0.2}


async def _pair(http: httpx.AsyncClient, headers: dict[str, str]) -> str:
    code = await http.post("/agents/pairing-codes", headers=headers)
    paired = await http.post("/agents/pair", json={"code": code.json()["code"], "name": "bay"})
    return str(paired.json()["agent_id"])


async def _other_replica_holds(app: FastAPI, agent_id: str, *, heartbeat_age: timedelta) -> None:
    """Another replica (a row only: no process behind it) holds the agent's lease."""
    replica_id = uuid.uuid4()
    async with app.state.database.transaction() as session:
        await session.execute(
            text(
                "INSERT INTO replicas (id, name, started_at, heartbeat_at) "
                "VALUES (:id, 'elsewhere', now(), now() - CAST(:age AS interval))"
            ),
            {"id": replica_id, "age": heartbeat_age},
        )
        await session.execute(
            text(
                "INSERT INTO agent_leases (agent_id, replica_id, connection_id, connected_at) "
                "VALUES (:agent, :replica, :connection, now())"
            ),
            {"agent": uuid.UUID(agent_id), "replica": replica_id, "connection": uuid.uuid4()},
        )


async def test_a_stale_lease_is_not_used(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent_id = await _pair(client, headers)
    await _other_replica_holds(app, agent_id, heartbeat_age=timedelta(hours=1))

    listed = (await client.get("/agents", headers=headers)).json()["items"]
    assert [item["online"] for item in listed] == [False]
    planned = await client.post(
        "/sessions", json={"agent_id": agent_id, "vin": VIN}, headers=headers
    )
    assert planned.status_code == 409, planned.text
    assert planned.json()["code"] == "agent-offline"


async def test_a_live_lease_on_another_replica_counts_as_online(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    agent_id = await _pair(client, headers)
    await _other_replica_holds(app, agent_id, heartbeat_age=timedelta(0))

    listed = (await client.get("/agents", headers=headers)).json()["items"]
    assert [item["online"] for item in listed] == [True]


async def test_a_command_for_an_agent_whose_replica_died_answers_agent_offline(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    agent_id = await _pair(client, headers)
    # Alive a moment ago, then silent: nobody listens on its channel any more.
    await _other_replica_holds(app, agent_id, heartbeat_age=timedelta(0))

    answer = await client.get(f"/agents/{agent_id}/vehicle", headers=headers)

    # Not 504 agent-timeout after the whole read timeout: the replica's missing heartbeat
    # ends the wait.
    assert answer.status_code == 409, answer.text
    assert answer.json()["code"] == "agent-offline"
    # Its row is swept by this replica's heartbeat, and its lease with it.
    async with app.state.database.transaction() as session:
        for _ in range(100):
            leases = await session.scalar(text("SELECT count(*) FROM agent_leases"))
            if leases == 0:
                break
            await session.commit()
            await asyncio.sleep(0.05)
    assert leases == 0


async def test_a_lost_lock_connection_stops_the_runner_and_the_session_is_taken_back(
    app: FastAPI, http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    job_arrived = asyncio.Event()

    async def hold_the_job(job: agent_pb2.StartJob) -> None:
        job_arrived.set()

    agent.flash = hold_the_job
    planned = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
    )
    session_id = uuid.UUID(planned.json()["id"])
    await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    await asyncio.wait_for(job_arrived.wait(), 10)
    runtime = app.state.runtime
    runner = runtime.runners[session_id]

    async with app.state.database.transaction() as session:
        killed = await session.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name AND datname = current_database()"
            ),
            {"name": APPLICATION_NAME},
        )
    assert killed == 1

    async with asyncio.timeout(20):  # only against a hang
        while not runner.done():
            await asyncio.sleep(0.05)
    assert runner.cancelled()  # fenced: it can no longer be sure it is the only runner
    async with asyncio.timeout(20):
        while runtime.runners.get(session_id) in (None, runner):
            await asyncio.sleep(0.05)
    body = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
    assert body["state"] == "RUNNING"
    [job] = agent.start_jobs  # the job in flight was not sent again

    await agent.request(
        agent_pb2.AgentFrame(
            job_result=agent_pb2.JobResult(
                job_id=job.job_id,
                outcome=agent_pb2.JOB_OUTCOME_SUCCEEDED,
                version_after=job.target_version,
            )
        )
    )
    async with asyncio.timeout(20):
        while body["state"] == "RUNNING":
            await asyncio.sleep(0.05)
            body = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
    assert body["state"] == "COMPLETED", body
