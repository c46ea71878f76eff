"""Several uvicorn workers, one set of metrics: every worker's requests in any worker's /metrics,
and the live gauges of a process that died left out."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from servicekit.multiprocess_metrics import MULTIPROCESS_DIR_VARIABLE, metrics_registry

HERE = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def two_workers(database_factory: Any) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(HERE),
        "AOS_ENVIRONMENT": "test",
        "KITMW_DATABASE_URL": await database_factory.create(HERE / "kit_migrations"),
        "KITMW_PORT": str(port),
        "KITMW_WORKERS": "2",
        "KITMW_RUN_BACKGROUND_WORKERS": "false",
        "KITMW_MIGRATE_ON_START": "false",
        "KITMW_LOG_LEVEL": "WARNING",
    }
    env.pop(MULTIPROCESS_DIR_VARIABLE, None)
    process = subprocess.Popen(  # noqa: ASYNC220 - started once; its output goes to the log
        [sys.executable, str(HERE / "multiworker_app.py")], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Three interpreters import the whole kit: slow on a busy machine.
        async with asyncio.timeout(150):
            while True:
                assert process.poll() is None, "the service exited"
                try:
                    async with httpx.AsyncClient(timeout=2.0) as client:
                        if (await client.get(base + "/readyz")).status_code == 200:
                            break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def counted(metrics_text: str, route: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
        if sample.name == "aos_http_requests_total" and sample.labels.get("route") == route
    )


async def served_by(base: str) -> dict[int, int]:
    """Requests answered per worker: while one worker is held busy, a few more requests on new
    connections can only be accepted by the other one (once it has started)."""
    served: dict[int, int] = {}
    async with asyncio.timeout(90):
        while len(served) < 2:
            async with (
                httpx.AsyncClient(base_url=base) as held,
                httpx.AsyncClient(base_url=base, headers={"connection": "close"}) as others,
            ):
                busy = asyncio.create_task(held.get("/busy"))
                await asyncio.sleep(0.3)
                answers = [await others.get("/pid") for _ in range(3)]
                answers.append(await busy)
            for answer in answers:
                pid = answer.json()["pid"]
                served[pid] = served.get(pid, 0) + 1
    return served


async def test_requests_served_by_two_workers_are_counted_in_one_metrics_answer(
    two_workers: str,
) -> None:
    served = await served_by(two_workers)
    assert len(served) == 2
    async with httpx.AsyncClient(base_url=two_workers) as client:
        answers = [(await client.get("/metrics")).text for _ in range(2)]
    for text in answers:  # whichever worker answers the scrape
        requests = counted(text, "/pid") + counted(text, "/busy")
        assert requests == sum(served.values())


def test_a_dead_process_counts_stay_and_its_live_gauges_go(tmp_path: Path) -> None:
    child = textwrap.dedent(
        """
        from prometheus_client import Counter, Gauge
        Counter("kit_jobs_total", "jobs").inc(4)
        Gauge("kit_open", "open things", multiprocess_mode="livesum").set(5)
        """
    )
    env = {**os.environ, MULTIPROCESS_DIR_VARIABLE: str(tmp_path)}
    subprocess.run([sys.executable, "-c", child], env=env, check=True)  # it exits, unmarked
    assert list(tmp_path.glob("gauge_livesum_*.db")), "the child left its live gauge's file"

    samples = {
        sample.name: sample.value
        for family in metrics_registry(str(tmp_path)).collect()
        for sample in family.samples
    }
    assert samples.get("kit_jobs_total") == 4
    assert "kit_open" not in samples
    assert not list(tmp_path.glob("gauge_livesum_*.db"))
