"""An agent process killed mid-flash: the next ``connect`` resumes the job from its journal.

Real programming service (uvicorn on loopback, real PostgreSQL), real simulator, and the agent
as a real ``python -m vci_agent connect`` process that the test kills with SIGKILL while the
DME's 40th TransferData is held back by the simulator (so the ECU is in its bootloader with
part of the image written and the journal mid-transfer).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
from udsoncan.connections import BaseConnection

from aos.agent.v1 import agent_pb2
from programming.testing import PREFLIGHT
from vci_agent.cli import main
from vci_agent.credentials import load_credential
from vci_agent.jobs import JobRunner
from vci_agent.journal import JobResultState, Journal, JournalEntry
from vci_agent.link import AgentLink, Backoff
from vci_agent.transport.doip import doip_connection
from vci_agent.transport.tracing import TracingConnection
from vci_agent.vehicle import EcuInfo
from vehicle_sim.testing import RunningVehicle, running_vehicle

# The start body: the pre-flight checklist confirmed at the vehicle.


VIN = "WBA5F3103MFX12345"
DME = 0x0012
HELD_BLOCK = 40
HELD_SECONDS = 2.0
# The 40th TransferData to the DME is answered only after HELD_SECONDS: the agent is killed
# while it waits for that answer.
FAULTS = [f"delay,ecu=0x12,block={HELD_BLOCK},seconds={HELD_SECONDS}"]


async def _until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


class _Dirs:
    def __init__(self, root: Path) -> None:
        self.config = root / "config"
        self.state = root / "state"
        self.args = ["--config-dir", str(self.config), "--state-dir", str(self.state)]

    @property
    def journal(self) -> Journal:
        return Journal(self.state / "journal")


async def _paired_dirs(server: Any, organization_id: uuid.UUID, root: Path) -> _Dirs:
    dirs = _Dirs(root)
    code = await server.pairing_code(organization_id)
    argv = [*dirs.args, "pair", "--server", server.url, "--code", code, "--api-prefix", ""]
    assert await asyncio.to_thread(main, argv) == 0
    return dirs


@contextlib.asynccontextmanager
async def _agent_process(dirs: _Dirs, sim: RunningVehicle) -> AsyncIterator[Any]:
    """``python -m vci_agent connect`` against the simulator; killed if still running at exit."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vci_agent",
        *dirs.args,
        "connect",
        "--port",
        str(sim.port),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.communicate()


async def _wait_online(server: Any, organization_id: uuid.UUID) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http, asyncio.timeout(20):
        while True:
            listed = await http.get("/agents", headers=server.auth(organization_id))
            if any(agent["online"] for agent in listed.json()["items"]):
                return
            await asyncio.sleep(0.05)


async def _start_session(server: Any, organization_id: uuid.UUID, agent_id: str) -> str:
    headers = server.auth(organization_id)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        planned = await http.post(
            "/sessions", json={"agent_id": agent_id, "vin": VIN}, headers=headers
        )
        assert planned.status_code == 201, planned.text
        session_id = str(planned.json()["id"])
        started = await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
        assert started.status_code == 202, started.text
    return session_id


async def _session(server: Any, organization_id: uuid.UUID, session_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        answer = await http.get(f"/sessions/{session_id}", headers=server.auth(organization_id))
    body: dict[str, Any] = answer.json()
    return body


async def _session_end(server: Any, organization_id: uuid.UUID, session_id: str) -> dict[str, Any]:
    async with asyncio.timeout(90):
        while True:
            body = await _session(server, organization_id, session_id)
            if body["state"] not in ("PLANNED", "RUNNING"):
                return body
            await asyncio.sleep(0.1)


async def _report(server: Any, organization_id: uuid.UUID, session_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        answer = await http.get(
            f"/sessions/{session_id}/report", headers=server.auth(organization_id)
        )
    report: dict[str, Any] = answer.json()
    return report


async def _kill_mid_transfer(
    server: Any, organization_id: uuid.UUID, dirs: _Dirs, sim: RunningVehicle
) -> tuple[str, JournalEntry]:
    """Start a session on an agent process, SIGKILL the process while the held block waits,
    and return the session id and the job's journal entry as the process left it."""
    credential = load_credential(dirs.config / "credential.json", keystore=None)
    async with _agent_process(dirs, sim) as first:
        await _wait_online(server, organization_id)
        session_id = await _start_session(server, organization_id, credential.agent_id)
        await _until(lambda: sim.faults.faults[0].fired)
        first.send_signal(signal.SIGKILL)
        await first.communicate()
    # Let the simulator answer the held block into the closed connection before anyone
    # else talks to the ECU.
    await asyncio.sleep(HELD_SECONDS + 0.5)
    [entry] = dirs.journal.entries()
    return session_id, entry


def _assert_left_mid_flash(entry: JournalEntry, sim: RunningVehicle) -> None:
    assert not entry.finished
    assert entry.erased
    assert 0 < entry.acked_offset < entry.image_size
    assert sim.ecu(DME).persistent.in_bootloader


async def test_a_connect_after_the_agent_process_was_killed_mid_flash_resumes_the_job(
    programming_server: Any, tmp_path: Path
) -> None:
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    dirs = await _paired_dirs(programming_server, organization_id, tmp_path)
    async with running_vehicle(tmp_path / "sim", faults=FAULTS, erase_time_s=0.05) as sim:
        session_id, left = await _kill_mid_transfer(programming_server, organization_id, dirs, sim)
        _assert_left_mid_flash(left, sim)
        still = await _session(programming_server, organization_id, session_id)
        assert still["state"] == "RUNNING", still

        async with _agent_process(dirs, sim) as second:
            ended = await _session_end(programming_server, organization_id, session_id)
            second.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(second.communicate(), 30)

        assert second.returncode == 0, err.decode()
        assert b"agent stopped" in out
        ecu = sim.ecu(DME).persistent
        assert (ecu.version, ecu.in_bootloader) == ("1.1.0", False)
    assert ended["state"] == "COMPLETED", ended
    report = await _report(programming_server, organization_id, session_id)
    dme = next(v for v in report["versions"] if v["name"] == "DME")
    assert (dme["before"], dme["after"]) == ("1.0.0", "1.1.0")
    [entry] = dirs.journal.entries()
    assert entry.job_id == left.job_id
    assert entry.result is JobResultState.SUCCEEDED
    assert entry.version_after == "1.1.0"
    assert entry.resumed_times >= 1
    assert entry.result_synced


class _Recording(TracingConnection):
    """Records every UDS request sent through it (the test's own view of the wire)."""

    def __init__(self, inner: BaseConnection, requests: list[bytes]) -> None:
        super().__init__(inner, lambda _record: None)
        self._requests = requests

    def specific_send(self, payload: bytes, timeout: float | None = None) -> None:
        self._requests.append(bytes(payload))
        super().specific_send(payload, timeout=timeout)


def _start_job_again(entry: JournalEntry, session_id: str) -> agent_pb2.AgentFrame:
    """The StartJob the service sent for ``entry``, as it would send it once more."""
    return agent_pb2.AgentFrame(
        start_job=agent_pb2.StartJob(
            job_id=entry.job_id,
            session_id=session_id,
            ecu_logical_address=entry.ecu_logical_address,
            ecu_type="DME_B48",
            target_version="1.1.0",
            image_url=entry.image_url,
            image_sha256=bytes.fromhex(entry.image_sha256),
            image_signature=bytes.fromhex(entry.image_signature),
            image_size=entry.image_size,
            memory_address=entry.memory_address,
            security_level=entry.security_level,
            download_token=entry.download_token,
        )
    )


async def test_a_start_job_for_a_journaled_job_resumes_it_instead_of_erasing_again(
    programming_server: Any, tmp_path: Path
) -> None:
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    dirs = await _paired_dirs(programming_server, organization_id, tmp_path)
    credential = load_credential(dirs.config / "credential.json", keystore=None)
    requests: list[bytes] = []
    async with running_vehicle(tmp_path / "sim", faults=FAULTS, erase_time_s=0.05) as sim:
        session_id, left = await _kill_mid_transfer(programming_server, organization_id, dirs, sim)
        _assert_left_mid_flash(left, sim)
        journal = dirs.journal
        # No on_welcome: here the job reaches the runner only through the StartJob.
        link = AgentLink(
            credential,
            handler=lambda frame, link: runner.handle(frame, link),
            backoff=Backoff(base=0.05, cap=0.2),
        )
        runner = JobRunner(
            link,
            journal=journal,
            cache_dir=dirs.state / "cache",
            release_key=JobRunner.release_key_from_base64(credential.release_public_key),
            connect=lambda address: _Recording(
                doip_connection(sim.host, sim.port, address), requests
            ),
            ecus=(EcuInfo(DME, "DME", "DME_B48"),),
        )
        stop = asyncio.Event()
        running = asyncio.create_task(link.run(stop))
        try:
            await _until(lambda: link.connected)
            await runner.handle(_start_job_again(left, session_id), link)
            ended = await _session_end(programming_server, organization_id, session_id)
        finally:
            await runner.wait_idle()
            stop.set()
            await asyncio.wait_for(running, 5)

        ecu = sim.ecu(DME).persistent
        assert (ecu.version, ecu.in_bootloader) == ("1.1.0", False)
    erase = bytes([0x31, 0x01, 0xFF, 0x00])
    assert not [r for r in requests if r.startswith(erase)]
    resume_at = left.memory_address + left.acked_offset
    [download] = [r for r in requests if r[0] == 0x34]
    assert download[3:7] == resume_at.to_bytes(4, "big")
    assert ended["state"] == "COMPLETED", ended
    [entry] = journal.entries()
    assert entry.result is JobResultState.SUCCEEDED
    assert entry.resumed_times >= 1


async def test_a_connect_leaves_an_interrupted_offline_flash_job_for_the_flash_command(
    programming_server: Any, tmp_path: Path
) -> None:
    organization_id = uuid.uuid4()
    dirs = await _paired_dirs(programming_server, organization_id, tmp_path)
    credential = load_credential(dirs.config / "credential.json", keystore=None)
    journal = dirs.journal
    # What ``vci_agent flash`` leaves behind when interrupted: no image address, no signature.
    offline = journal.save(
        JournalEntry(
            job_id=str(uuid.uuid4()),
            ecu_logical_address=DME,
            image_path=str(tmp_path / "bench" / "dme.img"),
            image_sha256="ab" * 32,
            image_size=4096,
            memory_address=0x00080000,
            erased=True,
            acked_offset=2048,
        )
    )

    def unreachable(address: int) -> BaseConnection:
        raise AssertionError(f"ECU 0x{address:04X} must not be contacted")

    welcomed = asyncio.Event()

    async def on_welcome(welcome: agent_pb2.Welcome) -> None:
        await runner.on_welcome(welcome)
        welcomed.set()

    link = AgentLink(
        credential, handler=lambda frame, link: runner.handle(frame, link), on_welcome=on_welcome
    )
    runner = JobRunner(
        link,
        journal=journal,
        cache_dir=dirs.state / "cache",
        release_key=JobRunner.release_key_from_base64(credential.release_public_key),
        connect=unreachable,
        ecus=(EcuInfo(DME, "DME", "DME_B48"),),
    )
    stop = asyncio.Event()
    running = asyncio.create_task(link.run(stop))
    try:
        await asyncio.wait_for(welcomed.wait(), 10)
        await runner.wait_idle()
    finally:
        stop.set()
        await asyncio.wait_for(running, 5)

    assert journal.load(offline.job_id) == offline
