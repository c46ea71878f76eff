"""What the agent says about the vehicle's battery: the readings of a job's result are stored
and shown with the job and in the report; a flash paused for a low battery is shown as
WAITING_FOR_VOLTAGE and, like a wait for the ECU, moves the job's deadline out."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from aos.agent.v1 import agent_pb2
from programming.testing import PREFLIGHT

Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]
AgentFactory = Callable[..., Awaitable[Any]]
VIN = "WBA5F3103MFX12345"
TERMINAL = {"COMPLETED", "EXPIRED", "ABORTED", "FAILED"}


async def _run(http: httpx.AsyncClient, headers: dict[str, str], agent: Any) -> str:
    planned = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
    )
    session_id: str = planned.json()["id"]
    started = await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    assert started.status_code == 202, started.text
    return session_id


async def _ended(http: httpx.AsyncClient, session_id: str, headers: dict[str, str]) -> Any:
    for _ in range(400):
        body = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
        if body["state"] in TERMINAL:
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"session {session_id} did not end")


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        # float32 on the wire: stored to 10 mV.
        ((12.6, 11.85, 12.71), {"at_start": 12.6, "min": 11.85, "max": 12.71}),
        (None, None),
    ],
    ids=["with-readings", "without-readings"],
)
async def test_the_battery_readings_of_a_result_are_stored_and_shown(
    http: httpx.AsyncClient,
    auth: Auth,
    grant: Grant,
    paired_agent: AgentFactory,
    sent: tuple[float, float, float] | None,
    shown: dict[str, float] | None,
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id, battery_volts=sent)

    session_id = await _run(http, headers, agent)
    ended = await _ended(http, session_id, headers)

    [job] = ended["jobs"]
    assert job["state"] == "SUCCEEDED"
    assert job["battery_volts"] == shown
    report = (await http.get(f"/sessions/{session_id}/report", headers=headers)).json()
    assert report["session"]["jobs"][0]["battery_volts"] == shown


async def test_a_flash_waiting_for_voltage_is_shown_so_and_its_wait_moves_the_deadline(
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
    started: asyncio.Queue[agent_pb2.StartJob] = asyncio.Queue()

    async def hold(job: agent_pb2.StartJob) -> None:  # the test plays the flash
        await started.put(job)

    agent.flash = hold
    session_id = await _run(http, headers, agent)
    job = await asyncio.wait_for(started.get(), 10)

    await agent.send(
        agent_pb2.AgentFrame(
            job_progress=agent_pb2.JobProgress(
                job_id=job.job_id,
                phase=agent_pb2.JOB_PHASE_WAITING_FOR_VOLTAGE,
                bytes_done=81_920,
                bytes_total=393_280,
            )
        )
    )
    answer = await agent.request(agent_pb2.AgentFrame(heartbeat=agent_pb2.Heartbeat()))
    assert answer.WhichOneof("body") == "heartbeat"  # the progress frame was handled

    body = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
    [shown] = body["jobs"]
    assert shown["progress"] == {
        "phase": "WAITING_FOR_VOLTAGE",
        "bytes_done": 81_920,
        "bytes_total": 393_280,
    }
    runtime = app.state.runtime
    wait = runtime.ecu_waits[uuid.UUID(job.job_id)]
    now = asyncio.get_running_loop().time() + 5
    assert wait.waited(now=now, silence=60.0) >= 5  # counted as waiting
