"""A job whose result does not come in time fails the session; a late result still records
the job's real outcome (the ECU may well be flashed) and is acknowledged."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from programming.testing import PREFLIGHT

Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]
AgentFactory = Callable[..., Awaitable[Any]]
# The start body: the pre-flight checklist confirmed at the vehicle.


VIN = "WBA5F3103MFX12345"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # Estimate 2 s; the result is awaited estimate x 1 + 0 s.
    return {
        "transfer_rate_bytes_per_second": 10_000_000,
        "job_overhead_seconds": 1.0,
        "time_margin_seconds": 0.0,
        "job_timeout_factor": 1.0,
        "job_timeout_grace_seconds": 0.0,
    }


async def test_missing_result_fails_the_session_and_a_late_one_records_the_job(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id, job_seconds=3.0)
    planned = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
    )
    session_id = planned.json()["id"]
    await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    for _ in range(200):
        body = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
        if body["state"] != "RUNNING":
            break
        await asyncio.sleep(0.05)
    assert body["state"] == "FAILED"
    assert "no result from the agent within 2 s" in body["end_detail"]
    assert body["jobs"][0]["state"] == "TIMED_OUT"

    for _ in range(100):  # the agent finishes later and sends its result
        if agent.acked_results:
            break
        await asyncio.sleep(0.05)
    assert len(agent.acked_results) == 1
    after = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
    job = after["jobs"][0]
    assert (job["state"], job["version_after"]) == ("SUCCEEDED", "1.1.0")
    assert after["state"] == "FAILED"
