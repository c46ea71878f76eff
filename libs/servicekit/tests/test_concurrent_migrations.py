"""Several processes migrating one fresh database at once (the workers of a service with
``migrate_on_start``, replicas started together) all succeed, and leave it at one head.

Each migrator is a process of its own, as the workers are (Alembic's ``context`` is global to a
process), and all of them are released at once once every one has imported what it needs.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic.script import ScriptDirectory

from servicekit.migrations import alembic_config, migration_lock_key, upgrade
from servicekit.testing import asyncpg_dsn

SERVICES = Path(__file__).resolve().parents[3] / "services"
MIGRATORS = 4

# Imports first, then "ready"; the upgrade starts at the line the test sends to every one.
MIGRATOR = """
import sys
from pathlib import Path
from servicekit.migrations import upgrade
print("ready", flush=True)
sys.stdin.readline()
upgrade(Path(sys.argv[1]), sys.argv[2])
print("migrated", flush=True)
"""


async def start_migrator(migrations: Path, url: str) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        MIGRATOR,
        str(migrations),
        url,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    assert await process.stdout.readline() == b"ready\n"
    return process


async def test_concurrent_upgrades_of_a_fresh_database_all_succeed_at_one_head(
    database_factory: Any,
) -> None:
    migrations = SERVICES / "billing" / "migrations"
    url = str(await database_factory.create_empty("concurrent_migrate"))
    processes = await asyncio.gather(*(start_migrator(migrations, url) for _ in range(MIGRATORS)))
    for process in processes:
        assert process.stdin is not None
        process.stdin.write(b"go\n")
        await process.stdin.drain()
    outcomes = await asyncio.gather(*(process.communicate() for process in processes))

    failures = [
        stderr.decode()[-2000:]
        for process, (_, stderr) in zip(processes, outcomes, strict=True)
        if process.returncode != 0
    ]
    assert failures == []
    # (A migrator that had to wait logs so before it; the last line is its own.)
    assert all(stdout.splitlines()[-1] == b"migrated" for stdout, _ in outcomes)
    head = ScriptDirectory.from_config(alembic_config(migrations, url)).get_current_head()
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        versions = await connection.fetch("SELECT version_num FROM alembic_version")
        # The last migration's work is there once: the outbox has its trace_context column.
        columns = await connection.fetchval(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_name = 'outbox' AND column_name = 'trace_context'"
        )
    finally:
        await connection.close()
    assert [row["version_num"] for row in versions] == [head]
    assert columns == 1


async def test_migrators_wait_for_the_process_holding_the_lock_and_go_on_once_it_dies(
    database_factory: Any,
) -> None:
    migrations = SERVICES / "billing" / "migrations"
    url = str(await database_factory.create_empty("migrate_wait"))
    dsn = asyncpg_dsn(url)
    # A process in the middle of migrating: it holds billing's migration lock.
    holder = await asyncpg.connect(dsn)
    await holder.execute("SELECT pg_advisory_lock($1, $2)", *migration_lock_key("billing"))
    watcher = await asyncpg.connect(dsn)
    try:
        processes = [await start_migrator(migrations, url) for _ in range(2)]
        for process in processes:
            assert process.stdin is not None
            process.stdin.write(b"go\n")
            await process.stdin.drain()

        # Both wait for the lock, and nothing is migrated meanwhile.
        deadline = time.monotonic() + 60
        while await waiting_for_advisory_locks(watcher) < len(processes):
            assert time.monotonic() < deadline, "the migrators never waited for the lock"
            await asyncio.sleep(0.05)
        assert await watcher.fetchval("SELECT to_regclass('alembic_version')") is None

        holder.terminate()  # the holder dies: its lock goes with its connection
        outcomes = await asyncio.gather(*(process.communicate() for process in processes))

        assert [process.returncode for process in processes] == [0, 0]
        assert all(stdout.splitlines()[-1] == b"migrated" for stdout, _ in outcomes)
        versions = await watcher.fetch("SELECT version_num FROM alembic_version")
        head = ScriptDirectory.from_config(alembic_config(migrations, url)).get_current_head()
        assert [row["version_num"] for row in versions] == [head]
    finally:
        holder.terminate()
        await watcher.close()


async def waiting_for_advisory_locks(connection: asyncpg.Connection) -> int:
    value = await connection.fetchval(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    return int(value)


async def test_a_failed_migration_lets_the_lock_go(database_factory: Any) -> None:
    migrations = SERVICES / "billing" / "migrations"
    url = str(await database_factory.create_empty("migrate_fail"))
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        # A table the first migration creates: it fails half-way.
        await connection.execute("CREATE TABLE products (id integer)")
        with pytest.raises(Exception, match="products"):
            await asyncio.to_thread(upgrade, migrations, url)

        held = await connection.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        assert held == 0
        await connection.execute("DROP TABLE products")
    finally:
        await connection.close()
    await asyncio.to_thread(upgrade, migrations, url)
