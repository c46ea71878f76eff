"""Migration 0008_checkout: an order placed before it becomes an order with one line, and its
entitlement points at that line; while orders are single passes it reverts."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from billing.main import MIGRATIONS_DIR
from servicekit.migrations import downgrade, upgrade
from servicekit.testing import asyncpg_dsn


async def test_existing_orders_become_one_line_each_with_their_entitlement(
    database_factory,
) -> None:
    url = str(await database_factory.create_empty("billing_checkout"))
    await asyncio.to_thread(upgrade, MIGRATIONS_DIR, url, "0007_usage")
    organization, paid, unpaid = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    entitlement = uuid.uuid4()
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(
            "INSERT INTO products (code, scope, name, duration_seconds, net_minor, currency) "
            "VALUES ('AIR_1D', 'AIR', 'AIR repair information pass, 1 day', 86400, 3000, 'EUR')"
        )
        for order_id, status, paid_at in ((paid, "paid", "now()"), (unpaid, "failed", "NULL")):
            await conn.execute(
                "INSERT INTO orders (id, organization_id, user_id, product_code, scope, "
                "duration_seconds, net_minor, vat_minor, gross_minor, vat_rate_percent, currency, "
                f"status, created_at, paid_at) VALUES ($1, $2, $3, 'AIR_1D', 'AIR', 86400, 3000, "
                f"570, 3570, 19, 'EUR', '{status}', now(), {paid_at})",
                order_id,
                organization,
                uuid.uuid4(),
            )
        await conn.execute(
            "INSERT INTO entitlements (id, organization_id, scope, order_id, valid_from, "
            "valid_until) VALUES ($1, $2, 'AIR', $3, now(), now() + interval '1 day')",
            entitlement,
            organization,
            paid,
        )

        await asyncio.to_thread(upgrade, MIGRATIONS_DIR, url)

        lines = {
            row["order_id"]: row
            for row in await conn.fetch("SELECT * FROM order_lines ORDER BY order_id")
        }
        assert set(lines) == {paid, unpaid}
        line = lines[paid]
        assert (line["product_code"], line["kind"], line["scope"], line["quantity"]) == (
            "AIR_1D",
            "PASS",
            "AIR",
            1,
        )
        assert (line["unit_net_minor"], line["vat_rate_bp"], line["vat_minor"]) == (3000, 1900, 570)
        assert (line["gross_minor"], line["duration_seconds"]) == (3570, 86400)
        [linked] = await conn.fetch(
            "SELECT order_line_id, vin, revoked_at FROM entitlements WHERE id = $1", entitlement
        )
        assert (linked["order_line_id"], linked["vin"], linked["revoked_at"]) == (
            line["id"],
            None,
            None,
        )
        [order] = await conn.fetch(
            "SELECT gross_minor, fulfilment_status FROM orders WHERE id = $1", paid
        )
        assert (order["gross_minor"], order["fulfilment_status"]) == (3570, "none")

        await asyncio.to_thread(downgrade, MIGRATIONS_DIR, url, "0007_usage")
        rows = await conn.fetch("SELECT id, product_code, scope, vat_rate_percent FROM orders")
        assert {(r["id"], r["product_code"], r["scope"], r["vat_rate_percent"]) for r in rows} == {
            (paid, "AIR_1D", "AIR", 19),
            (unpaid, "AIR_1D", "AIR", 19),
        }
        assert await conn.fetchval("SELECT order_id FROM entitlements") == paid
        await asyncio.to_thread(upgrade, MIGRATIONS_DIR, url)
        assert await conn.fetchval("SELECT count(*) FROM order_lines") == 2
    finally:
        await conn.close()


async def test_the_downgrade_refuses_while_orders_of_tools_exist(billing, database_url) -> None:
    org = await billing.buyer()
    await billing.order(org, "TOOL_ENET_CABLE")
    with pytest.raises(RuntimeError, match="restore a backup"):
        await asyncio.to_thread(downgrade, MIGRATIONS_DIR, database_url, "0007_usage")
    assert await billing.sql("SELECT count(*) FROM order_lines") == [(1,)]
