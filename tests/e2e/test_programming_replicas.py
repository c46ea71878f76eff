"""Two programming replicas behind the gateway (``run.py --programming-replicas 2``), with the
real VCI agent and a simulated car:

the agent's WebSocket lands on one replica (A); the session is started on A and followed live
on the other (B); A is killed (SIGKILL) mid-flash; the agent reconnects through the gateway,
which skips the dead upstream, to B; B takes the session's runner over and the session
completes, with the DME flashed once.

Needs the gateway's upstream lists (``GATEWAY_PROGRAMMING_URL`` as a comma-separated list).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from workshop import (
    Workshop,
    agent_command,
    buy_pass,
    free_port_base,
    poll,
    register_and_log_in,
    stop_process,
)

from programming.testing import PREFLIGHT
from servicekit.testing import DatabaseFactory, asyncpg_dsn, delete_namespace_topics_after

# The start body: the pre-flight checklist confirmed at the vehicle.


ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "deploy" / "local" / "run.py"
SERVICES = ("identity", "billing", "air", "programming")
VIN = "WBA5F3103MFX12345"
DME = 0x0012
START_TIMEOUT_S = 240
FLASH_TIMEOUT_S = 180
# Starting a whole system of its own and flashing at CAN speed take longer than the default.
pytestmark = pytest.mark.timeout(600)
# run.py's port offsets from the gateway port (Ports.from_base), plus the second replica's.
OFFSETS = (0, 10, 21, 22, 23, 24, 31, 45, 5320)


@dataclass(frozen=True)
class ReplicatedSystem:
    gateway: str
    maildir: Path
    log_dir: Path
    programming_database: str
    replicas: dict[str, tuple[str, int]]  # name → (base URL, pid)

    @property
    def api(self) -> str:
        return self.gateway + "/api"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
async def replica_databases(database_factory: DatabaseFactory) -> dict[str, str]:
    return {
        f"{name.upper()}_DATABASE_URL": await database_factory.create(
            ROOT / "services" / name / "migrations"
        )
        for name in SERVICES
    }


@pytest.fixture(scope="module")
def replicated_system(
    replica_databases: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    kafka_bootstrap_servers: str,
) -> Iterator[ReplicatedSystem]:
    """A whole system of its own (one for this module) with two programming replicas."""
    work = tmp_path_factory.mktemp("replicated")
    topic_namespace = f"e2r{uuid.uuid4().hex[:8]}."
    ready = work / "ready.json"
    logs = ROOT / "test-artifacts" / "e2e-replica-logs"
    base = free_port_base(OFFSETS)
    rate_limits = {
        f"GATEWAY_RATE_LIMIT_{name}_PER_IP": "10000/minute"
        for name in ("LOGIN", "REGISTRATION", "REFRESH", "RESEND", "TOTP_CONFIRM", "PAIRING")
    }
    env: dict[str, Any] = {**os.environ, **replica_databases, **rate_limits}
    run_log = work / "run.log"
    with run_log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                str(RUN),
                *("--port-base", str(base), "--environment", "test"),
                *("--maildir", str(work / "mail"), "--logs", str(logs)),
                *("--ready-file", str(ready), "--vehicle-state", str(work / "vehicle")),
                *("--topic-namespace", topic_namespace),
                *("--no-agent", "--programming-replicas", "2"),
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready.exists():
            if process.poll() is not None:
                output = run_log.read_text(errors="replace")
                pytest.fail(f"deploy/local/run.py exited with {process.returncode}:\n{output}")
            if time.monotonic() > deadline:
                pytest.fail(f"the system did not start within {START_TIMEOUT_S} s")
            time.sleep(0.2)
        info = json.loads(ready.read_text())
        pids = info["pids"]
        yield ReplicatedSystem(
            gateway=info["gateway"],
            maildir=Path(info["maildir"]),
            log_dir=logs,
            programming_database=replica_databases["PROGRAMMING_DATABASE_URL"],
            replicas={
                "programming": (f"http://127.0.0.1:{base + 24}", int(pids["programming"])),
                "programming-2": (f"http://127.0.0.1:{base + 31}", int(pids["programming-2"])),
            },
        )
    finally:
        stop_process(process, timeout=30)
        delete_namespace_topics_after(kafka_bootstrap_servers, topic_namespace)


@pytest.fixture
def slow_car(replicated_system: ReplicatedSystem) -> Iterator[int]:
    """A simulated car of this test, at classical CAN speed: the DME's flash takes about
    12 s, long enough to kill a replica in the middle of it. Yields its DoIP port."""
    port = _free_port()
    log = (replicated_system.log_dir / "replica-test-vehicle.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "vehicle_sim", "serve", "--host", "127.0.0.1", "--port", str(port)),
            *("--in-memory", "--can-speed"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None and time.monotonic() < deadline, "no simulator"
            time.sleep(0.2)
        yield port
    finally:
        stop_process(process)
        log.close()


def _lease_holder(database_url: str, agent_id: str) -> str | None:
    """The name of the replica holding the agent's WebSocket (its lease)."""
    return asyncio.run(_query_lease_holder(database_url, agent_id))


def _job_rows(database_url: str) -> list[tuple[str, int]]:
    """Every flash job of the programming database: (state, security keys issued)."""
    return asyncio.run(_query_job_rows(database_url))


async def _query_lease_holder(database_url: str, agent_id: str) -> str | None:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        name: str | None = await connection.fetchval(
            "SELECT r.name FROM agent_leases l JOIN replicas r ON r.id = l.replica_id "
            "WHERE l.agent_id = $1",
            uuid.UUID(agent_id),
        )
        return name
    finally:
        await connection.close()


async def _query_job_rows(database_url: str) -> list[tuple[str, int]]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch("SELECT state, security_keys_issued FROM jobs")
        return [(row["state"], row["security_keys_issued"]) for row in rows]
    finally:
        await connection.close()


def _follow(url: str, headers: dict[str, str], events: list[tuple[str, dict[str, Any]]]) -> None:
    """Collect a session's server-sent events from one replica until the stream ends."""
    with (
        httpx.Client(timeout=httpx.Timeout(30, read=FLASH_TIMEOUT_S)) as client,
        client.stream("GET", url, headers=headers) as stream,
    ):
        kind = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((kind, json.loads(line.removeprefix("data: "))))


def test_a_replica_killed_mid_flash_hands_its_agent_and_session_to_the_other(
    replicated_system: ReplicatedSystem, slow_car: int, tmp_path: Path
) -> None:
    system = replicated_system
    with httpx.Client(base_url=system.api, timeout=30) as http:
        workshop: Workshop = register_and_log_in(http, system.maildir, company="Zwei Hallen GmbH")
        buy_pass(http, workshop, "PROGRAMMING_1H")
        config_dir, state_dir = tmp_path / "agent-config", tmp_path / "agent-state"
        code = http.post("/programming/agents/pairing-codes", json={}, headers=workshop.auth)
        paired = subprocess.run(
            agent_command(
                config_dir, state_dir, "pair", "--server", system.gateway,
                "--code", code.json()["code"], "--name", "Bay 1",
            ),
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert paired.returncode == 0, paired.stdout + paired.stderr
        agent_id = json.loads((config_dir / "credential.json").read_text())["agent_id"]
        log = (system.log_dir / "replica-test-vci-agent.log").open("wb")
        agent = subprocess.Popen(
            agent_command(
                config_dir, state_dir, "connect", "--host", "127.0.0.1", "--port", str(slow_car)
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            poll(
                lambda: http.get("/programming/agents", headers=workshop.auth),
                lambda r: any(a["id"] == agent_id and a["online"] for a in r.json()["items"]),
            )
            holder = _lease_holder(system.programming_database, agent_id)
            assert holder in system.replicas
            other = next(name for name in system.replicas if name != holder)
            a_url, a_pid = system.replicas[holder]
            b_url, _ = system.replicas[other]

            # Programming learns of the pass from billing's event: plan once it has.
            planned = poll(
                lambda: http.post(
                    "/programming/sessions",
                    json={"agent_id": agent_id, "vin": VIN},
                    headers=workshop.auth,
                ),
                lambda r: r.status_code != 403,
            )
            assert planned.status_code == 201, planned.text
            session_id = planned.json()["id"]

            # Followed on B, started on A (A's runner sends the job to the agent on A).
            events: list[tuple[str, dict[str, Any]]] = []
            follower = threading.Thread(
                target=_follow,
                args=(f"{b_url}/sessions/{session_id}/events", workshop.auth, events),
                daemon=True,
            )
            follower.start()
            poll(lambda: None, lambda _: bool(events))  # the snapshot is there
            started = httpx.post(
                f"{a_url}/sessions/{session_id}/start",
                json=PREFLIGHT,
                headers=workshop.auth,
                timeout=30,
            )
            assert started.status_code == 202, started.text
            poll(
                lambda: None,
                lambda _: any(
                    kind == "progress" and data.get("phase") == "TRANSFERRING"
                    for kind, data in events
                ),
                timeout=60,
            )
            os.kill(a_pid, signal.SIGKILL)

            follower.join(FLASH_TIMEOUT_S)
            assert not follower.is_alive(), "the session did not end"
            session = http.get(f"/programming/sessions/{session_id}", headers=workshop.auth).json()
            report = http.get(
                f"/programming/sessions/{session_id}/report", headers=workshop.auth
            ).json()
            now_on = _lease_holder(system.programming_database, agent_id)
        finally:
            stop_process(agent)
            log.close()

    assert now_on == other  # the agent reconnected to the surviving replica
    assert session["state"] == "COMPLETED", session
    assert events[-1][0] == "session" and events[-1][1]["state"] == "COMPLETED"
    versions = {v["logical_address"]: (v["before"], v["after"]) for v in report["versions"]}
    assert versions[DME] == ("1.0.0", "1.1.0")
    # Flashed once: one job, unlocked once (a second StartJob would have unlocked again).
    assert _job_rows(system.programming_database) == [("SUCCEEDED", 1)]
