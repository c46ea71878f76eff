"""A leader job runs in one process of many, and another takes over when that one stops, its
lock connection dies, or the job fails.

Each "process" is a run_while_leader task with a LeaderLock (a connection) of its own on one real
database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from servicekit.faults import TcpProxy
from servicekit.leader import LeaderLock, leader_lock_key, run_while_leader
from servicekit.relay_lock import relay_lock_key
from servicekit.tasks import cancel_and_wait
from servicekit.testing import asyncpg_dsn

MIGRATIONS = Path(__file__).parent / "kit_migrations"
JOB = "kit.periodic-job"
RETRY = 0.05


async def wait_for(condition: Callable[[], bool], *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


class Process:
    """One process's share of the job: whether its job runs now, and how often it started."""

    def __init__(self, dsn: str, *, fail_first: bool = False) -> None:
        self.lock = LeaderLock(dsn, key=leader_lock_key(JOB), application_name="kit-leader")
        self.running = False
        self.starts = 0
        self._fail_first = fail_first
        self.task: asyncio.Task[None] | None = None

    async def job(self) -> None:
        self.starts += 1
        if self._fail_first and self.starts == 1:
            raise RuntimeError("the first run fails")
        self.running = True
        try:
            await asyncio.Event().wait()  # a periodic job runs until cancelled
        finally:
            self.running = False

    def start(self) -> None:
        self.task = asyncio.create_task(
            run_while_leader(self.lock, self.job, name=JOB, retry_seconds=RETRY, check_seconds=0.05)
        )

    async def stop(self) -> None:
        if self.task is not None:
            await cancel_and_wait(self.task)


@pytest.fixture
async def dsn(database_factory: Any) -> str:
    return asyncpg_dsn(str(await database_factory.create(MIGRATIONS)))


@pytest.fixture
async def processes(dsn: str) -> AsyncIterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        await process.stop()


def running(processes: list[Process]) -> list[Process]:
    return [process for process in processes if process.running]


async def test_the_job_runs_in_one_process_and_another_takes_over_when_it_stops(
    dsn: str, processes: list[Process]
) -> None:
    processes.extend(Process(dsn) for _ in range(3))
    for process in processes:
        process.start()
    await wait_for(lambda: bool(running(processes)))
    [leader] = running(processes)
    followers = [process for process in processes if process is not leader]
    # The followers have tried the lock and are waiting for it, not running the job.
    await wait_for(lambda: all(process.lock._connection is not None for process in followers))
    assert all(process.starts == 0 for process in followers)

    await leader.stop()

    assert not leader.running
    await wait_for(lambda: bool(running(followers)))
    assert len(running(processes)) == 1
    # Stopped, it let its lock go: a process of its own may lead again.
    assert leader.lock._connection is None


async def test_a_leader_whose_lock_connection_dies_stops_its_job_and_another_takes_over(
    dsn: str, processes: list[Process]
) -> None:
    processes.extend(Process(dsn) for _ in range(2))
    for process in processes:
        process.start()
    await wait_for(lambda: bool(running(processes)))
    [leader] = running(processes)
    pid = leader.lock.backend_pid

    admin = await asyncpg.connect(dsn)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()

    # The leader's job is cancelled, and one process (either) starts it again.
    await wait_for(lambda: sum(process.starts for process in processes) == 2)
    await wait_for(lambda: len(running(processes)) == 1)
    assert leader.running == (leader.starts == 2)


async def test_a_job_that_fails_gives_the_lock_back_and_runs_again(
    dsn: str, processes: list[Process]
) -> None:
    processes.append(Process(dsn, fail_first=True))
    processes[0].start()

    await wait_for(lambda: processes[0].running)

    assert processes[0].starts == 2


@pytest.fixture
async def proxy(dsn: str) -> AsyncIterator[TcpProxy]:
    """A TCP proxy in front of the database: a process behind it can lose its network."""
    proxy = TcpProxy.in_front_of(dsn)
    await proxy.start()
    yield proxy
    await proxy.close()


async def test_a_leader_whose_network_hangs_stops_its_job_and_another_leads_once_it_drops(
    dsn: str, proxy: TcpProxy, processes: list[Process]
) -> None:
    behind = Process(proxy.proxied(dsn))
    processes.append(behind)
    behind.start()
    await wait_for(lambda: behind.running)
    other = Process(dsn)
    processes.append(other)
    other.start()

    proxy.freeze()  # the link passes nothing, but neither end sees it closed

    # The leader's check finds no answer: its job stops, although the server still holds the
    # lock for the connection, so nobody else may lead yet.
    await wait_for(lambda: not behind.running, timeout=30)
    assert not other.running
    # The network drops for good: the server sees the connection end, the lock goes with it.
    await proxy.cut()
    await wait_for(lambda: other.running)
    assert other.starts == 1


async def test_a_process_that_cannot_reach_the_database_keeps_trying_and_leads_once_it_can(
    dsn: str, proxy: TcpProxy, processes: list[Process]
) -> None:
    proxy.refuse()
    process = Process(proxy.proxied(dsn))
    processes.append(process)
    process.start()

    await wait_for(lambda: len(proxy.refused_at) >= 2)  # tried, and tried again
    assert process.starts == 0
    proxy.restore()

    await wait_for(lambda: process.running)


def test_leader_keys_are_apart_from_the_relays() -> None:
    assert leader_lock_key("billing")[0] != relay_lock_key("billing")[0]
    assert leader_lock_key("billing")[1] == relay_lock_key("billing")[1]
