"""Migration air_0007 (search vocabulary with pg_trgm) goes down and up again."""

from __future__ import annotations

import asyncio
import importlib.util

import asyncpg

from air.main import MIGRATIONS_DIR
from servicekit.migrations import downgrade, upgrade
from servicekit.testing import asyncpg_dsn


def _down_revision() -> str:
    spec = importlib.util.spec_from_file_location(
        "air_0007_search", MIGRATIONS_DIR / "versions" / "0007_search.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.down_revision)


async def _state(database_url: str) -> tuple[bool, bool]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        table = await connection.fetchval("SELECT to_regclass('search_vocabulary') IS NOT NULL")
        trigram = await connection.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')"
        )
        return bool(table), bool(trigram)
    finally:
        await connection.close()


async def test_the_vocabulary_goes_down_and_comes_back(database_url: str) -> None:
    assert await _state(database_url) == (True, True)

    await asyncio.to_thread(downgrade, MIGRATIONS_DIR, database_url, _down_revision())
    down = await _state(database_url)
    await asyncio.to_thread(upgrade, MIGRATIONS_DIR, database_url)

    # The extension stays on the way down: it holds no data and others may use it.
    assert down == (False, True)
    assert await _state(database_url) == (True, True)
