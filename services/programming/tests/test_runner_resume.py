"""Sessions left RUNNING by a stopped process are resumed without resending the job."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from aos.agent.v1 import agent_pb2
from programming.services.runner import resume_sessions
from programming.testing import PREFLIGHT

Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]
AgentFactory = Callable[..., Awaitable[Any]]
# The start body: the pre-flight checklist confirmed at the vehicle.


VIN = "WBA5F3103MFX12345"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # The "restart" is played by the test: no periodic takeover scan between its steps.
    return {"session_scan_seconds": 3600}


async def test_resumed_session_awaits_the_in_flight_result_and_completes(
    app: FastAPI, http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    job_arrived = asyncio.Event()

    async def hold_the_job(job: agent_pb2.StartJob) -> None:
        job_arrived.set()  # flashing "takes long": the result comes after the restart

    agent.flash = hold_the_job
    planned = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
    )
    session_id = planned.json()["id"]
    await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    await asyncio.wait_for(job_arrived.wait(), 10)

    # The process "stops": its runner dies with the job in flight.
    runtime = app.state.runtime
    runner = runtime.runners[uuid.UUID(session_id)]
    runner.cancel()
    await asyncio.gather(runner, return_exceptions=True)
    assert (await http.get(f"/sessions/{session_id}", headers=headers)).json()["state"] == "RUNNING"

    assert await resume_sessions(runtime) == 1
    [job] = agent.start_jobs
    agent.ecus[job.ecu_logical_address].software_version = job.target_version
    await agent.request(
        agent_pb2.AgentFrame(
            job_result=agent_pb2.JobResult(
                job_id=job.job_id,
                outcome=agent_pb2.JOB_OUTCOME_SUCCEEDED,
                version_after=job.target_version,
            )
        )
    )
    for _ in range(200):
        body = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
        if body["state"] != "RUNNING":
            break
        await asyncio.sleep(0.05)

    assert body["state"] == "COMPLETED", body
    assert len(agent.start_jobs) == 1  # the job was not sent a second time
