"""The runner acts on the JobResult it is delivered, not on a read-back of the job."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from fastapi import FastAPI

from aos.agent.v1 import agent_pb2
from programming.services.jobs import record_job_result
from programming.testing import PREFLIGHT

Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]
AgentFactory = Callable[..., Awaitable[Any]]
# The start body: the pre-flight checklist confirmed at the vehicle.


VIN = "WBA5F3103MFX12345"


async def test_the_runner_ends_the_session_with_the_delivered_results_outcome(
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
    session_id = planned.json()["id"]
    await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    await asyncio.wait_for(job_arrived.wait(), 10)
    [job] = agent.start_jobs

    # Handed to the runner directly: nothing of it is in the database, so only the delivered
    # result can tell the runner why the job failed.
    app.state.runtime.registry.deliver_result(
        uuid.UUID(job.job_id),
        agent_pb2.JobResult(
            job_id=job.job_id, outcome=agent_pb2.JOB_OUTCOME_REFUSED, detail="image too new"
        ),
    )
    for _ in range(200):
        body = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
        if body["state"] != "RUNNING":
            break
        await asyncio.sleep(0.05)

    assert body["state"] == "FAILED", body
    assert body["end_detail"] == f"job {job.job_id} refused: image too new"


async def test_a_result_recorded_without_reaching_the_runner_is_found_in_the_table(
    app: FastAPI, http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    """As when a result came in on another replica and its broadcast was lost."""
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
    session_id = planned.json()["id"]
    await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    await asyncio.wait_for(job_arrived.wait(), 10)
    [job] = agent.start_jobs

    runtime = app.state.runtime
    async with runtime.database.transaction() as session:
        recorded = await record_job_result(
            session,
            agent_pb2.JobResult(
                job_id=job.job_id,
                outcome=agent_pb2.JOB_OUTCOME_SUCCEEDED,
                version_after=job.target_version,
            ),
            agent_id=uuid.UUID(agent.agent_id),
            now=runtime.now(),
        )
    assert recorded is not None
    for _ in range(300):
        body = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
        if body["state"] != "RUNNING":
            break
        await asyncio.sleep(0.05)

    assert body["state"] == "COMPLETED", body
