"""Migration 0005_account: logins that exist before it appear in "my logins" after it, and it
can be reverted."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from identity.main import MIGRATIONS_DIR
from servicekit.migrations import downgrade, upgrade
from servicekit.testing import asyncpg_dsn


async def test_existing_refresh_families_become_logins_and_the_migration_reverts(
    database_url: str,
) -> None:
    await asyncio.to_thread(downgrade, MIGRATIONS_DIR, database_url, "0003_login_throttles")
    user, organization = uuid.uuid4(), uuid.uuid4()
    open_family, ended_family = uuid.uuid4(), uuid.uuid4()
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await conn.execute(
            "INSERT INTO organizations (id, name, country, vat_id) VALUES ($1, 'W', 'DE', 'DE1')",
            organization,
        )
        await conn.execute(
            "INSERT INTO users (id, organization_id, email, name, role, password_hash) "
            "VALUES ($1, $2, 'a@b.example', 'A', 'owner', 'x')",
            user,
            organization,
        )
        rows = [
            (open_family, "used", "now() - interval '2 hours'", "now() - interval '1 hour'", None),
            (open_family, "fresh", "now() - interval '1 hour'", None, None),
            (ended_family, "revoked", "now() - interval '3 hours'", None, "now()"),
        ]
        for family, name, created, used, revoked in rows:
            await conn.execute(
                "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at, "
                f"created_at, used_at, revoked_at) VALUES ($1, $2, $3, $4, now() + interval "
                f"'1 day', {created}, {used or 'NULL'}, {revoked or 'NULL'})",
                uuid.uuid4(),
                user,
                family,
                name.ljust(64, "0"),
            )

        await asyncio.to_thread(upgrade, MIGRATIONS_DIR, database_url)
        logins = {
            row["id"]: row
            for row in await conn.fetch("SELECT * FROM login_sessions WHERE user_id = $1", user)
        }
        assert set(logins) == {open_family, ended_family}
        assert logins[open_family]["ended_at"] is None
        assert logins[open_family]["last_used_at"] > logins[open_family]["created_at"]
        assert logins[ended_family]["ended_at"] is not None

        await asyncio.to_thread(downgrade, MIGRATIONS_DIR, database_url, "0003_login_throttles")
        assert await conn.fetchval("SELECT to_regclass('login_sessions')") is None
    finally:
        await conn.close()
