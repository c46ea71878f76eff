"""Remote programming end to end, through the gateway, with real processes:

buy a programming hour → pair the VCI agent → start a session → the plan shows the outdated
DME → flash → the report shows before/after versions → the simulated car reports the new
version.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from workshop import (
    Workshop,
    agent_command,
    buy_pass,
    poll,
    problem,
    register_and_log_in,
    stop_process,
)

from programming.testing import PREFLIGHT

# The start body: the pre-flight checklist confirmed at the vehicle.


VIN = "WBA5F3103MFX12345"
DME = 0x0012
FLASH_TIMEOUT_S = 60.0


@pytest.fixture
def agent_dirs(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "agent-config", tmp_path / "agent-state"


@pytest.fixture
def workshop(system: Any, http: httpx.Client) -> Workshop:
    return register_and_log_in(http, system.maildir, company="Motorwerk Schmidt KG")


@pytest.fixture
def paired_agent(
    system: Any, http: httpx.Client, workshop: Workshop, agent_dirs: tuple[Path, Path]
) -> Iterator[str]:
    """Pair the agent with a code from the API, run `connect`, yield its id once online."""
    code = http.post("/programming/agents/pairing-codes", json={}, headers=workshop.auth)
    assert code.status_code == 201, code.text
    config_dir, state_dir = agent_dirs
    paired = subprocess.run(
        agent_command(
            config_dir,
            state_dir,
            "pair",
            "--server",
            system.gateway,
            "--code",
            code.json()["code"],
            "--name",
            "Bay 3 laptop",
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert paired.returncode == 0, paired.stdout + paired.stderr
    credential = config_dir / "credential.json"
    assert oct(credential.stat().st_mode & 0o777) == "0o600"
    agent_id = json.loads(credential.read_text())["agent_id"]

    log = (system.log_dir / "e2e-vci-agent.log").open("wb")
    process = subprocess.Popen(
        agent_command(
            config_dir, state_dir, "connect", "--host", "127.0.0.1", "--port", str(system.doip_port)
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
        env=dict(os.environ),
    )
    try:
        online = poll(
            lambda: http.get("/programming/agents", headers=workshop.auth),
            lambda r: any(a["id"] == agent_id and a["online"] for a in r.json()["items"]),
        )
        assert any(a["id"] == agent_id and a["online"] for a in online.json()["items"])
        yield agent_id
    finally:
        stop_process(process)
        log.close()


def read_vehicle(system: Any, agent_dirs: tuple[Path, Path]) -> dict[str, Any]:
    result = subprocess.run(
        agent_command(
            *agent_dirs, "read-vehicle", "--host", "127.0.0.1", "--port", str(system.doip_port)
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def ecu_version(report: dict[str, Any], address: int) -> str:
    [ecu] = [e for e in report["ecus"] if e["logical_address"] == address]
    return str(ecu["software_version"])


def test_workshop_flashes_the_outdated_dme_through_a_paired_agent(
    system: Any,
    http: httpx.Client,
    workshop: Workshop,
    paired_agent: str,
    agent_dirs: tuple[Path, Path],
) -> None:
    auth = workshop.auth
    session_request = {"agent_id": paired_agent, "vin": VIN}
    no_pass = problem(http.post("/programming/sessions", json=session_request, headers=auth), 403)
    assert "PROGRAMMING_1H" in no_pass["detail"]

    buy_pass(http, workshop, "PROGRAMMING_1H")
    # Programming learns about the pass from billing's event over Kafka.
    created = poll(
        lambda: http.post("/programming/sessions", json=session_request, headers=auth),
        lambda r: r.status_code != 403,
    )
    assert created.status_code == 201, created.text
    plan = created.json()
    [job] = plan["jobs"]
    assert job["ecu_logical_address"] == DME
    assert job["reason"] == "outdated"
    assert (job["version_before"], job["target_version"]) == ("1.0.0", "1.1.0")
    assert job["estimated_seconds"] > 0

    started = http.post(f"/programming/sessions/{plan['id']}/start", json=PREFLIGHT, headers=auth)
    assert started.status_code == 202, started.text
    finished = poll(
        lambda: http.get(f"/programming/sessions/{plan['id']}", headers=auth),
        lambda r: r.json()["state"] not in ("PLANNED", "RUNNING"),
        timeout=FLASH_TIMEOUT_S,
    )
    assert finished.json()["state"] == "COMPLETED", finished.text

    report = http.get(f"/programming/sessions/{plan['id']}/report", headers=auth).json()
    versions = {v["logical_address"]: (v["before"], v["after"]) for v in report["versions"]}
    assert versions[DME] == ("1.0.0", "1.1.0")
    assert report["trace_summary"]
    assert {row["service_id"] for row in report["trace_summary"]} >= {0x27, 0x31, 0x34, 0x36}

    assert ecu_version(read_vehicle(system, agent_dirs), DME) == "1.1.0"
