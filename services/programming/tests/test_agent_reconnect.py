"""Job results that arrive on a later connection, after the agent reconnected."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from aos.agent.v1 import agent_pb2
from programming.testing import PREFLIGHT

Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]
AgentFactory = Callable[..., Awaitable[Any]]
# The start body: the pre-flight checklist confirmed at the vehicle.


VIN = "WBA5F3103MFX12345"


async def test_result_sent_after_a_reconnect_is_recorded_and_the_session_completes(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    serving: list[asyncio.Task[None]] = []

    async def flash_across_a_reconnect(job: agent_pb2.StartJob) -> None:
        await agent.ws.close()  # the link drops mid-flash; the flash carries on
        await asyncio.sleep(0.2)
        welcome = await agent.connect()
        assert welcome.WhichOneof("body") == "welcome"
        serving.append(asyncio.create_task(agent.serve()))
        agent.ecus[job.ecu_logical_address].software_version = job.target_version
        ack = await agent.request(
            agent_pb2.AgentFrame(
                job_result=agent_pb2.JobResult(
                    job_id=job.job_id,
                    outcome=agent_pb2.JOB_OUTCOME_SUCCEEDED,
                    version_after=job.target_version,
                    resumed_times=1,
                )
            )
        )
        agent.acked_results.add(ack.reply_to)

    agent.flash = flash_across_a_reconnect
    planned = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
    )
    session_id = planned.json()["id"]
    await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    try:
        for _ in range(200):
            body = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
            if body["state"] != "RUNNING":
                break
            await asyncio.sleep(0.05)
    finally:
        for task in serving:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    assert body["state"] == "COMPLETED", body
    assert body["jobs"][0]["state"] == "SUCCEEDED"
    assert len(agent.acked_results) == 1
    report = (await http.get(f"/sessions/{session_id}/report", headers=headers)).json()
    dme = next(v for v in report["versions"] if v["name"] == "DME")
    assert (dme["before"], dme["after"]) == ("1.0.0", "1.1.0")


async def test_result_for_an_unknown_job_is_answered_with_an_error(
    auth: Auth, paired_agent: AgentFactory
) -> None:
    agent = await paired_agent(uuid.uuid4())
    answer = await agent.request(
        agent_pb2.AgentFrame(
            job_result=agent_pb2.JobResult(
                job_id=str(uuid.uuid4()), outcome=agent_pb2.JOB_OUTCOME_SUCCEEDED
            )
        )
    )
    assert answer.WhichOneof("body") == "error"
    assert answer.error.code == "unknown-job"


async def test_key_request_for_a_job_of_no_session_is_refused(
    auth: Auth, paired_agent: AgentFactory
) -> None:
    agent = await paired_agent(uuid.uuid4())
    answer = await agent.request(
        agent_pb2.AgentFrame(
            security_key_request=agent_pb2.SecurityKeyRequest(
                job_id=str(uuid.uuid4()), level=0x11, seed=b"\x01\x02\x03\x04"
            )
        )
    )
    assert answer.WhichOneof("body") == "error"
    assert answer.error.code == "unknown-job"
