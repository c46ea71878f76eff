"""A power loss mid-flash in a programming session: real programming service (uvicorn, real
PostgreSQL), the agent's job runner and link in this process, the simulator over DoIP.

While the car has no power the agent reports WAITING_FOR_ECU, which reaches the portal through
the session's server-sent events, and the service keeps waiting for the job past its deadline;
when the agent gives up (resume window over), the session's report names the ECU left in its
bootloader and says what to do next.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from vci_agent.flash import FlashOptions
from vci_agent.jobs import JobRunner
from vci_agent.journal import JobResultState, Journal
from vci_agent.link import AgentLink, Backoff
from vci_agent.pairing import DeviceCredential, pair
from vci_agent.transport.doip import doip_connection
from vci_agent.uds import UdsTiming
from vci_agent.vehicle import EcuInfo
from vehicle_sim.testing import RunningVehicle, running_vehicle

VIN = "WBA5F3103MFX12345"
DME = 0x0012
ECUS = (
    EcuInfo(0x0012, "DME", "DME_B48"),
    EcuInfo(0x0040, "BDC", "BDC_G20"),
    EcuInfo(0x0063, "HU", "HU_MGU"),
)
# The job's deadline is its estimate (2 s: the rate makes the transfer time nothing) with no
# factor or grace: a 3 s power loss outlasts it, so only the agent's progress keeps the job.
TIGHT_DEADLINE = {
    "transfer_rate_bytes_per_second": 1_000_000_000,
    "job_overhead_seconds": 1.0,
    "job_timeout_factor": 1.0,
    "job_timeout_grace_seconds": 0.0,
    "job_silence_seconds": 10.0,
}


async def _paired(server: Any, organization_id: uuid.UUID) -> DeviceCredential:
    code = await server.pairing_code(organization_id)

    def trade() -> DeviceCredential:
        with httpx.Client() as client:
            return pair(client, server.url, code, name="bay 2", api_prefix="")

    return await asyncio.to_thread(trade)


@asynccontextmanager
async def _agent(
    credential: DeviceCredential, sim: RunningVehicle, tmp_path: Path, options: FlashOptions
) -> AsyncIterator[Journal]:
    journal = Journal(tmp_path / "journal")
    runner = JobRunner(
        journal=journal,
        cache_dir=tmp_path / "cache",
        release_key=JobRunner.release_key_from_base64(credential.release_public_key),
        connect=lambda address: doip_connection(sim.host, sim.port, address),
        ecus=ECUS,
        flash_options=options,
    )
    link = AgentLink(
        credential,
        handler=runner.handle,
        on_welcome=runner.on_welcome,
        backoff=Backoff(base=0.05, cap=0.2),
        pending_results=lambda: len(journal.unsynced_results()),
    )
    runner.attach(link)
    stop = asyncio.Event()
    running = asyncio.create_task(link.run(stop))
    try:
        async with asyncio.timeout(10):
            while not link.connected:
                await asyncio.sleep(0.02)
        yield journal
    finally:
        await runner.wait_idle()
        stop.set()
        await asyncio.wait_for(running, 5)


async def _events(
    http: httpx.AsyncClient, session_id: str, headers: dict[str, str], subscribed: asyncio.Event
) -> list[Any]:
    """The session's server-sent events as (event, data) until the stream ends; ``subscribed``
    is set with the first event (the snapshot, sent once the stream listens)."""
    events: list[Any] = []
    name = ""
    async with http.stream("GET", f"/sessions/{session_id}/events", headers=headers) as stream:
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
                subscribed.set()
    return events


async def _run_session(server: Any, organization_id: uuid.UUID, agent_id: str) -> dict[str, Any]:
    """Plan and start a session, follow its events to the end; the report and the events."""
    headers = server.auth(organization_id)
    async with httpx.AsyncClient(base_url=server.url, timeout=90) as http:
        planned = await http.post(
            "/sessions", json={"agent_id": agent_id, "vin": VIN}, headers=headers
        )
        assert planned.status_code == 201, planned.text
        session_id = planned.json()["id"]
        subscribed = asyncio.Event()
        following = asyncio.create_task(_events(http, session_id, headers, subscribed))
        await asyncio.wait_for(subscribed.wait(), 10)
        started = await http.post(f"/sessions/{session_id}/start", headers=headers)
        assert started.status_code == 202, started.text
        events = await asyncio.wait_for(following, 90)
        report = (await http.get(f"/sessions/{session_id}/report", headers=headers)).json()
    return {"report": report, "events": events}


@pytest.mark.parametrize("programming_overrides", [TIGHT_DEADLINE], indirect=True)
async def test_a_power_loss_shows_waiting_for_the_ecu_and_the_session_completes(
    programming_server: Any, tmp_path: Path
) -> None:
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    credential = await _paired(programming_server, organization_id)
    faults = ["power-loss,ecu=0x12,block=40,seconds=3"]
    options = FlashOptions(timing=UdsTiming(p2=1.0), reset_wait=0.05, block_size=4096)
    async with (
        running_vehicle(tmp_path / "sim", faults=faults, erase_time_s=0.05) as sim,
        _agent(credential, sim, tmp_path, options) as journal,
    ):
        outcome = await _run_session(programming_server, organization_id, credential.agent_id)

        ecu = sim.ecu(DME).persistent
        assert (ecu.version, ecu.in_bootloader) == ("1.1.0", False)
    report = outcome["report"]
    assert report["session"]["state"] == "COMPLETED", report["session"]
    phases = [data["phase"] for name, data in outcome["events"] if name == "progress"]
    assert "WAITING_FOR_ECU" in phases
    # After the wait the flash goes on to its checks.
    assert "CHECKING" in phases[phases.index("WAITING_FOR_ECU") :]
    dme = next(v for v in report["versions"] if v["name"] == "DME")
    assert (dme["before"], dme["after"]) == ("1.0.0", "1.1.0")
    [job] = report["session"]["jobs"]
    assert (job["state"], job["left_in_bootloader"]) == ("SUCCEEDED", False)
    [entry] = journal.entries()
    assert entry.result is JobResultState.SUCCEEDED


async def test_a_power_loss_past_the_resume_window_reports_the_ecu_left_in_its_bootloader(
    programming_server: Any, tmp_path: Path
) -> None:
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    credential = await _paired(programming_server, organization_id)
    faults = ["power-loss,ecu=0x12,block=40,seconds=600"]
    options = FlashOptions(
        timing=UdsTiming(p2=1.0),
        reset_wait=0.05,
        block_size=4096,
        resume_window=1.5,
        reconnect_delay=0.1,
    )
    async with (
        running_vehicle(tmp_path / "sim", faults=faults, erase_time_s=0.05) as sim,
        _agent(credential, sim, tmp_path, options) as journal,
    ):
        outcome = await _run_session(programming_server, organization_id, credential.agent_id)

        assert sim.ecu(DME).persistent.in_bootloader
    report = outcome["report"]
    session = report["session"]
    assert session["state"] == "FAILED", session
    [job] = session["jobs"]
    assert (job["state"], job["left_in_bootloader"]) == ("FAILED", True)
    assert "ECU 0x0012 is left in its bootloader" in job["detail"]
    assert "plan a new session" in job["detail"]
    assert "ECU 0x0012 is left in its bootloader" in session["end_detail"]
    [entry] = journal.entries()
    assert (entry.result, entry.ecu_in_bootloader, entry.result_synced) == (
        JobResultState.FAILED,
        True,
        True,
    )
