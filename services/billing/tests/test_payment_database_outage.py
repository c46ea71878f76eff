"""PostgreSQL away when the payment provider's callback is due: the callback is retried until
the database is back, never dropped, and the order is paid exactly once.

Billing reaches its database through a TCP proxy (servicekit.faults), which can refuse and cut
connections like a database that went away, without touching the shared PostgreSQL server.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from servicekit.faults import TcpProxy

CALLBACK_DELAY_SECONDS = 1.0
# Longer than the old provider's whole retry budget (5 attempts, 0.2 s doubling: about 3 s).
OUTAGE_AFTER_DUE_SECONDS = 5.0


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[TcpProxy]:
    running = TcpProxy.in_front_of(database_url)
    await running.start()
    yield running
    await running.close()


async def wait_until(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.05)


async def test_a_callback_due_while_the_database_is_away_is_delivered_when_it_is_back(
    start_billing, proxy: TcpProxy, database_url: str
) -> None:
    async with start_billing(
        database_url=proxy.proxied(database_url),
        test_provider_delay_seconds=CALLBACK_DELAY_SECONDS,
    ) as billing:
        org = billing.org()
        order = await billing.order(org, "PROGRAMMING_1H")
        await billing.pay(org, order["id"])
        due = time.monotonic() + CALLBACK_DELAY_SECONDS

        proxy.refuse()
        # Down when the callback was due, and the provider tried to deliver it then.
        await wait_until(
            lambda: any(moment > due for moment in proxy.refused_at),
            timeout=30,
            what="nobody tried to reach the database after the callback was due",
        )
        await wait_until(
            lambda: time.monotonic() > due + OUTAGE_AFTER_DUE_SECONDS, timeout=30, what="clock"
        )
        proxy.restore()

        await billing.wait_for_status(org, order["id"], "paid", timeout=60)
        assert len(await billing.delivered_callbacks()) == 1
        [(entitlements,)] = await billing.sql(
            "SELECT count(*) FROM entitlements WHERE order_id = :id", id=order["id"]
        )
        assert entitlements == 1
