"""The single-file agent that ``make agent-dist`` builds, driven as a workshop PC would run it.

The module builds the agent once with PyInstaller (scripts/agent_dist.py, the Makefile target's
script) into a temporary folder, then runs the built executable, never ``python -m vci_agent``:
``--help`` and ``--version``; ``pair`` with a code from the real programming service (uvicorn on
loopback, real PostgreSQL); ``connect``; and a programming session through the service that
flashes the simulator's DME.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from programming.testing import PREFLIGHT
from vci_agent.credentials import load_credential
from vci_agent.release import AGENT_VERSION, build_file_name
from vehicle_sim.testing import running_vehicle

# The build takes about a minute on two cores; the one test that triggers it gets the time.
pytestmark = [pytest.mark.agent_dist, pytest.mark.timeout(900)]

# The start body: the pre-flight checklist confirmed at the vehicle.


ROOT = Path(__file__).resolve().parents[4]
# A "newer build" the service publishes in the update test: small bytes, named like a build.
NEWER = b"\x7fELF the next agent build" * 1000
VIN = "WBA5F3103MFX12345"
DME = 0x0012


@pytest.fixture(scope="module")
def agent_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("agent-dist")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "agent_dist.py"),
            "--dist-dir",
            str(out / "dist"),
            "--work-dir",
            str(out / "work"),
        ],
        check=True,
        timeout=840,
    )
    return out / "dist" / build_file_name(AGENT_VERSION)


@pytest.fixture
def programming_overrides(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """Tests marked ``newer_build`` get a service that publishes a newer build of this
    platform; the others a service that knows no build."""
    if request.node.get_closest_marker("newer_build") is None:
        return {}
    builds = tmp_path / "builds"
    builds.mkdir()
    (builds / build_file_name("9.9.9")).write_bytes(NEWER)
    return {"agent_builds_dir": builds}


def _run(binary: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binary), *argv], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_build_is_one_executable_with_its_sha256_and_answers_help_and_version(
    agent_binary: Path,
) -> None:
    assert re.fullmatch(r"aos-vci-agent-\d+\.\d+\.\d+-linux-[a-z0-9_]+", agent_binary.name)
    assert [p.name for p in sorted(agent_binary.parent.iterdir())] == [
        agent_binary.name,
        agent_binary.name + ".sha256",
    ]
    digest = hashlib.sha256(agent_binary.read_bytes()).hexdigest()
    checksum = agent_binary.with_name(agent_binary.name + ".sha256").read_text()
    assert checksum == f"{digest}  {agent_binary.name}\n"

    helped = _run(agent_binary, "--help")
    assert helped.returncode == 0, helped.stderr
    assert all(command in helped.stdout for command in ("pair", "connect", "flash"))
    version = _run(agent_binary, "--version")
    assert (version.returncode, version.stdout) == (0, f"aos-vci-agent {AGENT_VERSION}\n")
    # Bad input is one line and an exit code, not a traceback from the frozen program.
    wrong = _run(agent_binary, "connect", "--port", "not-a-port")
    assert wrong.returncode == 2 and "invalid int value" in wrong.stderr
    assert "Traceback" not in wrong.stderr


async def _wait_online(server: Any, organization_id: uuid.UUID) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http, asyncio.timeout(30):
        while True:
            listed = await http.get("/agents", headers=server.auth(organization_id))
            if any(agent["online"] for agent in listed.json()["items"]):
                return
            await asyncio.sleep(0.05)


async def _run_session(server: Any, organization_id: uuid.UUID, agent_id: str) -> dict[str, Any]:
    headers = server.auth(organization_id)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        planned = await http.post(
            "/sessions", json={"agent_id": agent_id, "vin": VIN}, headers=headers
        )
        assert planned.status_code == 201, planned.text
        session_id = planned.json()["id"]
        started = await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
        assert started.status_code == 202, started.text
        async with asyncio.timeout(120):
            while True:
                body: dict[str, Any] = (
                    await http.get(f"/sessions/{session_id}", headers=headers)
                ).json()
                if body["state"] not in ("PLANNED", "RUNNING"):
                    break
                await asyncio.sleep(0.1)
        report = await http.get(f"/sessions/{session_id}/report", headers=headers)
    return {"session": body, "report": report.json()}


async def test_the_built_agent_pairs_connects_and_flashes_through_the_service(
    agent_binary: Path, programming_server: Any, tmp_path: Path
) -> None:
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    dirs = ["--config-dir", str(tmp_path / "config"), "--state-dir", str(tmp_path / "state")]
    code = await programming_server.pairing_code(organization_id)

    paired = await asyncio.to_thread(
        _run,
        agent_binary,
        *dirs,
        "pair",
        "--server",
        programming_server.url,
        "--code",
        code,
        "--api-prefix",
        "",
        "--name",
        "bay 7",
    )

    assert paired.returncode == 0, paired.stderr
    credential = load_credential(tmp_path / "config" / "credential.json", keystore=None)
    assert f"paired as agent {credential.agent_id}" in paired.stdout
    async with running_vehicle(tmp_path / "sim", erase_time_s=0.05) as sim:
        agent = await asyncio.create_subprocess_exec(
            str(agent_binary),
            *dirs,
            "connect",
            "--port",
            str(sim.port),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await _wait_online(programming_server, organization_id)
            ran = await _run_session(programming_server, organization_id, credential.agent_id)
            agent.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(agent.communicate(), 30)
        finally:
            if agent.returncode is None:
                agent.kill()
                await agent.communicate()

        assert ran["session"]["state"] == "COMPLETED", ran["session"]
        ecu = sim.ecu(DME).persistent
        assert (ecu.version, ecu.in_bootloader) == ("1.1.0", False)
    dme = next(v for v in ran["report"]["versions"] if v["name"] == "DME")
    assert (dme["before"], dme["after"]) == ("1.0.0", "1.1.0")
    assert agent.returncode == 0, err.decode()
    assert b"agent stopped" in out


@pytest.mark.newer_build
async def test_the_built_agent_replaces_itself_with_a_newer_build_and_exits_75(
    agent_binary: Path, programming_server: Any, tmp_path: Path
) -> None:
    installed = tmp_path / "bin" / "aos-vci-agent"
    installed.parent.mkdir()
    shutil.copy2(agent_binary, installed)
    organization_id = uuid.uuid4()
    dirs = ["--config-dir", str(tmp_path / "config"), "--state-dir", str(tmp_path / "state")]
    code = await programming_server.pairing_code(organization_id)
    pair = [*dirs, "pair", "--server", programming_server.url, "--code", code, "--api-prefix", ""]
    assert (await asyncio.to_thread(_run, installed, *pair)).returncode == 0

    connected = await asyncio.to_thread(
        subprocess.run,
        [str(installed), *dirs, "connect", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert connected.returncode == 75, connected.stderr
    assert "agent stopped: updated to 9.9.9; start it again" in connected.stdout
    assert f"agent 9.9.9 installed as {installed}" in connected.stdout
    assert installed.read_bytes() == NEWER  # verified with the release key, then put in place
    assert os.access(installed, os.X_OK)
    assert sorted(p.name for p in installed.parent.iterdir()) == [installed.name]
