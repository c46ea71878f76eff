"""Starts the whole system as `make run` does, on free ports with fresh databases.

The processes come from deploy/local/run.py itself (migrate, seed, mail sink, services, gateway);
only ports, databases, the Kafka topic namespace and the mail folder differ from `make run`, so
the tests never collide with a system a person is running.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from workshop import PHASE_REPORTS, free_port_base, stop_process

from servicekit.testing import DatabaseFactory, OtlpReceiver, delete_namespace_topics_after

ROOT = Path(__file__).resolve().parents[2]
# Every test client reaches the gateway from 127.0.0.1, like many users behind one workshop's
# NAT: the per-IP limits are raised for them. The per-account limits and the per-token API limit
# keep their defaults (each test's accounts log in a few times; polls run at 4-5 per second).
E2E_RATE_LIMITS = {
    f"GATEWAY_RATE_LIMIT_{name}_PER_IP": "10000/minute"
    for name in ("LOGIN", "REGISTRATION", "REFRESH", "RESEND", "TOTP_CONFIRM", "PAIRING")
}
RUN = ROOT / "deploy" / "local" / "run.py"
SERVICES = ("identity", "billing", "air", "programming")
START_TIMEOUT_S = 180
# Offsets from the gateway port of every port run.py opens (Ports.from_base), in its order.
OFFSETS = (0, 10, 21, 22, 23, 24, 45, 5320)


@dataclass(frozen=True)
class System:
    gateway: str
    maildir: Path
    log_dir: Path
    doip_port: int

    @property
    def api(self) -> str:
        return self.gateway + "/api"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the test item, so that fixtures can tell a failed test
    (the browser journey then saves what the page showed)."""
    outcome = yield
    report = outcome.get_result()
    item.stash.setdefault(PHASE_REPORTS, {})[report.when] = report


@pytest.fixture(scope="session")
async def system_databases(database_factory: DatabaseFactory) -> dict[str, str]:
    return {
        f"{name.upper()}_DATABASE_URL": await database_factory.create(
            ROOT / "services" / name / "migrations"
        )
        for name in SERVICES
    }


@pytest.fixture(scope="session")
def otlp_receiver() -> Iterator[OtlpReceiver]:
    """The OTLP collector every process of the system exports its spans to."""
    with OtlpReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="session")
def system(
    system_databases: dict[str, str],
    otlp_receiver: OtlpReceiver,
    tmp_path_factory: pytest.TempPathFactory,
    kafka_bootstrap_servers: str,
) -> Iterator[System]:
    work = tmp_path_factory.mktemp("system")
    topic_namespace = f"e2e{uuid.uuid4().hex[:8]}."
    ready = work / "ready.json"
    logs = ROOT / "test-artifacts" / "e2e-logs"
    env: dict[str, Any] = {
        **os.environ,
        **system_databases,
        **E2E_RATE_LIMITS,
        # run.py passes the environment on to every process it starts.
        "AOS_OTLP_ENDPOINT": otlp_receiver.endpoint,
    }
    run_log = work / "run.log"
    with run_log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                str(RUN),
                "--port-base",
                str(free_port_base(OFFSETS)),
                "--environment",
                "test",
                "--maildir",
                str(work / "mail"),
                "--logs",
                str(logs),
                "--ready-file",
                str(ready),
                "--topic-namespace",
                topic_namespace,
                "--vehicle-state",
                str(work / "vehicle"),
                "--no-agent",
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
        yield System(
            gateway=info["gateway"],
            maildir=Path(info["maildir"]),
            log_dir=logs,
            doip_port=int(info["doip_port"]),
        )
    finally:
        stop_process(process, timeout=30)
        delete_namespace_topics_after(kafka_bootstrap_servers, topic_namespace)


@pytest.fixture
def http(system: System) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=system.api, timeout=15) as client:
        yield client
