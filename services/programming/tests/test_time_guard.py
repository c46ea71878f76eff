"""Flash-safe time in a running session: jobs start only with enough paid time left."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from aos.agent.v1 import agent_pb2
from aos.events.v1 import programming_pb2
from programming.testing import PREFLIGHT
from servicekit.testing import ManualClock

Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]
AgentFactory = Callable[..., Awaitable[Any]]
# The start body: the pre-flight checklist confirmed at the vehicle.


VIN = "WBA5F3103MFX12345"
TERMINAL = {"COMPLETED", "EXPIRED", "ABORTED", "FAILED"}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # Each job is estimated at 2 s (tiny transfer time + 1 s overhead, rounded up), margin 1 s:
    # a job needs 3 s of paid time left to start.
    return {
        "transfer_rate_bytes_per_second": 10_000_000,
        "job_overhead_seconds": 1.0,
        "time_margin_seconds": 1.0,
    }


@pytest.fixture
def clock() -> ManualClock:
    # Pairing, reading the car, planning and starting take no paid time, however slow the
    # machine; the flash below moves the clock.
    return ManualClock()


def two_outdated_ecus() -> list[agent_pb2.EcuReport]:
    return [
        agent_pb2.EcuReport(
            logical_address=0x12, name="DME", ecu_type="DME_B48", software_version="1.0.0"
        ),
        agent_pb2.EcuReport(
            logical_address=0x40, name="BDC", ecu_type="BDC_G20", software_version="2.2.0"
        ),
    ]


async def wait_until_ended(
    http: httpx.AsyncClient, session_id: str, headers: dict[str, str]
) -> dict[str, Any]:
    for _ in range(400):
        body: dict[str, Any] = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
        if body["state"] in TERMINAL:
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"session did not end: {body}")


async def start(http: httpx.AsyncClient, headers: dict[str, str], agent: Any) -> str:
    planned = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
    )
    assert planned.status_code == 201, planned.text
    session_id: str = planned.json()["id"]
    started = await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    assert started.status_code == 202, started.text
    return session_id


async def test_job_that_does_not_fit_is_not_started_and_session_expires(
    app: FastAPI,
    http: httpx.AsyncClient,
    auth: Auth,
    grant: Grant,
    paired_agent: AgentFactory,
    clock: ManualClock,
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    now = clock()
    await grant(
        organization_id,
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(seconds=2.5),
    )
    agent = await paired_agent(organization_id, ecus=two_outdated_ecus())

    ended = await wait_until_ended(http, await start(http, headers, agent), headers)

    assert ended["state"] == "EXPIRED"
    assert ended["end_detail"].startswith("programming time expired: buy more time")
    assert [job["state"] for job in ended["jobs"]] == ["SKIPPED", "SKIPPED"]
    assert agent.start_jobs == []
    async with app.state.database.transaction() as session:
        payload = (
            await session.execute(
                text("SELECT payload FROM outbox WHERE event_type = 'aos.events.v1.SessionEnded'")
            )
        ).scalar_one()
    assert programming_pb2.SessionEnded.FromString(payload).reason == (
        programming_pb2.SESSION_END_REASON_EXPIRED
    )


async def test_running_job_finishes_after_the_pass_ends_and_the_next_is_not_started(
    http: httpx.AsyncClient,
    auth: Auth,
    grant: Grant,
    paired_agent: AgentFactory,
    clock: ManualClock,
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    now = clock()
    # Enough for the first job to start (3 s needed), but the job takes longer than the pass.
    pass_end = now + timedelta(seconds=4)
    await grant(organization_id, valid_from=now - timedelta(hours=1), valid_until=pass_end)
    agent = await paired_agent(organization_id, ecus=two_outdated_ecus())
    flash = agent.flash

    async def flash_for_4_5_seconds(job: agent_pb2.StartJob) -> None:
        clock.advance(4.5)  # the flash outlasts the pass
        await flash(job)

    agent.flash = flash_for_4_5_seconds

    ended = await wait_until_ended(http, await start(http, headers, agent), headers)

    first, second = ended["jobs"]
    assert first["state"] == "SUCCEEDED"
    assert datetime.fromisoformat(first["finished_at"]) > pass_end
    assert second["state"] == "SKIPPED"
    assert len(agent.start_jobs) == 1
    assert ended["state"] == "EXPIRED"
    assert "buy more time" in ended["end_detail"]
    assert "0 s of paid time are left" in ended["end_detail"]


async def test_buying_more_time_extends_the_window_without_a_gap(
    http: httpx.AsyncClient,
    auth: Auth,
    grant: Grant,
    paired_agent: AgentFactory,
    clock: ManualClock,
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    now = clock()
    first_end = now + timedelta(seconds=2.5)  # too short alone for a 3 s job
    await grant(organization_id, valid_from=now - timedelta(hours=1), valid_until=first_end)
    await grant(organization_id, valid_from=first_end, valid_until=first_end + timedelta(hours=1))
    agent = await paired_agent(organization_id, ecus=two_outdated_ecus())

    ended = await wait_until_ended(http, await start(http, headers, agent), headers)

    assert ended["state"] == "COMPLETED"
    assert [job["state"] for job in ended["jobs"]] == ["SUCCEEDED", "SUCCEEDED"]


async def test_a_revocation_during_a_flash_lets_the_job_finish_and_starts_no_other(
    http: httpx.AsyncClient,
    auth: Auth,
    grant: Grant,
    revoke: Callable[..., Awaitable[Any]],
    paired_agent: AgentFactory,
    clock: ManualClock,
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    now = clock()
    granted = await grant(
        organization_id, valid_from=now - timedelta(hours=1), valid_until=now + timedelta(hours=1)
    )
    agent = await paired_agent(organization_id, ecus=two_outdated_ecus())
    flash = agent.flash

    async def refunded_while_flashing(job: agent_pb2.StartJob) -> None:
        await revoke(granted, revoked_at=clock())  # the pass is refunded mid-flash
        clock.advance(1)
        await flash(job)

    agent.flash = refunded_while_flashing

    ended = await wait_until_ended(http, await start(http, headers, agent), headers)

    # Flash-safe as at expiry: the running job is never cut, the next one never starts.
    first, second = ended["jobs"]
    assert first["state"] == "SUCCEEDED"
    assert second["state"] == "SKIPPED"
    assert ended["state"] == "EXPIRED"
    assert ended["end_detail"].startswith("programming time expired: buy more time")
    assert len(agent.start_jobs) == 1
