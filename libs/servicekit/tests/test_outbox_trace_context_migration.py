"""Each service's migration gives an existing outbox (one made before tracing) its
``trace_context`` column, keeping the rows it holds, and takes the column away on downgrade."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from servicekit.migrations import downgrade, upgrade
from servicekit.testing import asyncpg_dsn

SERVICES = Path(__file__).resolve().parents[3] / "services"
# (service, the tracing migration, the revision before it)
MIGRATIONS = [
    ("identity", "identity_0007", "0006_token_revocations"),
    ("billing", "billing_0009", "0008_checkout"),
    ("air", "air_0008", "air_0007"),
    ("programming", "programming_0008", "programming_0006"),
]


async def outbox_columns(conn: asyncpg.Connection) -> set[str]:
    rows = await conn.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'outbox'"
    )
    return {row["column_name"] for row in rows}


@pytest.mark.parametrize(("service", "revision", "before"), MIGRATIONS)
async def test_the_migration_adds_the_trace_context_to_an_existing_outbox_and_removes_it(
    database_factory: Any, service: str, revision: str, before: str
) -> None:
    migrations = SERVICES / service / "migrations"
    url = str(await database_factory.create_empty(f"{service}_trace"))
    await asyncio.to_thread(upgrade, migrations, url, revision)
    # An outbox as a database made before tracing has it, with an event not yet published.
    await asyncio.to_thread(downgrade, migrations, url, before)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        assert "trace_context" not in await outbox_columns(conn)
        await conn.execute(
            "INSERT INTO outbox (event_id, topic, event_type, aggregate_id, source, occurred_at,"
            " payload) VALUES (gen_random_uuid(), 't', 'e', 'a', 's', now(), '')"
        )
        await asyncio.to_thread(upgrade, migrations, url, revision)
        assert "trace_context" in await outbox_columns(conn)
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE trace_context IS NULL") == 1
    finally:
        await conn.close()
