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
from pathlib import Path
from typing import Any

import httpx
import pytest

from programming.testing import PREFLIGHT
from vci_agent.flash import FlashOptions
from vci_agent.journal import JobResultState, Journal
from vci_agent.uds import UdsTiming
from vehicle_sim.testing import running_vehicle

# The start body: the pre-flight checklist confirmed at the vehicle.


VIN = "WBA5F3103MFX12345"
DME = 0x0012
# The job's deadline is its estimate (2 s: the rate makes the transfer time nothing) with no
# factor or grace: a 3 s power loss outlasts it, so only the agent's progress keeps the job.
TIGHT_DEADLINE = {
    "transfer_rate_bytes_per_second": 1_000_000_000,
    "job_overhead_seconds": 1.0,
    "job_timeout_factor": 1.0,
    "job_timeout_grace_seconds": 0.0,
    "job_silence_seconds": 10.0,
}


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
        started = await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
        assert started.status_code == 202, started.text
        events = await asyncio.wait_for(following, 90)
        report = (await http.get(f"/sessions/{session_id}/report", headers=headers)).json()
    return {"report": report, "events": events}


@pytest.mark.parametrize("programming_overrides", [TIGHT_DEADLINE], indirect=True)
async def test_a_power_loss_shows_waiting_for_the_ecu_and_the_session_completes(
    programming_server: Any, tmp_path: Path, pair_agent: Any, running_agent: Any
) -> None:
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    credential = await pair_agent(programming_server, organization_id, name="bay 2")
    faults = ["power-loss,ecu=0x12,block=40,seconds=3"]
    options = FlashOptions(timing=UdsTiming(p2=1.0), reset_wait=0.05, block_size=4096)
    journal = Journal(tmp_path / "journal")
    async with (
        running_vehicle(tmp_path / "sim", faults=faults, erase_time_s=0.05) as sim,
        running_agent(credential, sim, journal, tmp_path / "cache", flash_options=options),
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
    programming_server: Any, tmp_path: Path, pair_agent: Any, running_agent: Any
) -> None:
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    credential = await pair_agent(programming_server, organization_id, name="bay 2")
    faults = ["power-loss,ecu=0x12,block=40,seconds=600"]
    options = FlashOptions(
        timing=UdsTiming(p2=1.0),
        reset_wait=0.05,
        block_size=4096,
        resume_window=1.5,
        reconnect_delay=0.1,
    )
    journal = Journal(tmp_path / "journal")
    async with (
        running_vehicle(tmp_path / "sim", faults=faults, erase_time_s=0.05) as sim,
        running_agent(credential, sim, journal, tmp_path / "cache", flash_options=options),
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
