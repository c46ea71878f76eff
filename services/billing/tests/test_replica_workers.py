"""Billing's periodic workers with several replicas on one database: each job is done once.

The test payment provider's callbacks and the payment reconciliation run in one process at a
time (a leader lock), and another process takes over when that one stops. The other workers run
in every process and divide the work by row locks: stock reservations expire once, and an expiry
warning is queued once (and mailed once: test_expiry.py).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from billing.providers import TestPaymentProvider
from billing.services.expiry import queue_expiry_warnings
from billing.services.reservations import expire_unpaid_orders
from servicekit.db import Database

from .conftest import Billing
from .test_expiry import add_customer, choose
from .test_stock import age_reservation, stock, unpaid_tool_order

SECRET = b"replica-test-secret"
URL = "http://billing.test/payments/webhook"
REPLICAS = 2


async def wait_for(condition: Callable[[], bool], *, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


class Replica:
    """One billing process's test payment provider: a pool of its own on the shared database,
    and an HTTP client that records the callbacks it sends."""

    def __init__(self, database_url: str) -> None:
        self.database = Database(database_url, pool_size=2)
        self.sent: list[str] = []  # the payment ids of the callbacks, in order
        self.http = httpx.AsyncClient(transport=httpx.MockTransport(self._answer))
        self.provider = TestPaymentProvider(
            self.database,
            self.http,
            webhook_url=URL,
            secret=SECRET,
            delay_seconds=0,
            poll_seconds=0.05,
            leader_retry_seconds=0.05,
        )

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(json.loads(request.content)["payment_id"])
        return httpx.Response(200)

    async def stop(self) -> None:
        await self.provider.aclose()
        await self.http.aclose()
        await self.database.dispose()


@pytest.fixture
async def replicas(database_url: str) -> AsyncIterator[list[Replica]]:
    started = [Replica(database_url) for _ in range(REPLICAS)]
    for replica in started:
        replica.provider.start()
    yield started
    for replica in started:
        await replica.stop()


async def pay(replica: Replica, number: int) -> str:
    created = await replica.provider.create_payment(
        order_reference=f"order-{number}",
        amount_minor=833,
        currency="EUR",
        idempotency_key=f"key-{number}",
    )
    return created.payment_id


async def attempts(replica: Replica) -> dict[str, int]:
    async with replica.database.transaction() as session:
        # Every callback is delivered by now: attempts counts its sends.
        rows = await session.execute(
            text("SELECT payment_id, attempts FROM test_provider_payments")
        )
        return {row.payment_id: row.attempts for row in rows}


async def test_each_callback_is_sent_by_one_replica_and_another_takes_over_when_it_stops(
    replicas: list[Replica],
) -> None:
    await wait_for(lambda: any(replica.provider.delivering for replica in replicas))
    [leader] = [replica for replica in replicas if replica.provider.delivering]
    [follower] = [replica for replica in replicas if replica is not leader]
    # Payments taken by both replicas: the leader delivers every one of them.
    first = [await pay(replicas[number % REPLICAS], number) for number in range(6)]
    await wait_for(lambda: len(leader.sent) >= len(first))

    assert sorted(leader.sent) == sorted(first)
    assert follower.sent == []
    assert not follower.provider.delivering
    assert await attempts(leader) == dict.fromkeys(first, 1)

    await leader.stop()
    replicas.remove(leader)
    later = await pay(follower, 99)
    await wait_for(lambda: bool(follower.sent))

    assert follower.provider.delivering
    assert follower.sent == [later]
    assert (await attempts(follower))[later] == 1


def counting_asks(billing: Billing) -> list[str]:
    """The payment ids this replica's reconciliation asks its provider about, from now on."""
    asked: list[str] = []
    provider = billing.provider
    ask = provider.get_payment

    async def get_payment(payment_id: str) -> Any:
        asked.append(payment_id)
        return await ask(payment_id)

    provider.get_payment = get_payment
    return asked


async def test_one_replica_reconciles_and_another_takes_over_when_it_stops(
    start_billing: Callable[..., AbstractAsyncContextManager[Billing]],
) -> None:
    settings: dict[str, Any] = {
        # The provider's callback stays a minute away: the payment is pending there meanwhile,
        # so every run of the reconciliation asks about it again.
        "test_provider_delay_seconds": 60,
        "run_background_workers": True,
        "payment_reconcile_after_seconds": 1,
        "payment_reconcile_interval_seconds": 0.05,
        "leader_retry_seconds": 0.05,
        "idempotency_sweep_seconds": 0,
        "stock_sweep_seconds": 0,
        "expiry_check_interval_seconds": 0,
        "run_mail_sender": False,
    }
    starts = [start_billing(**settings) for _ in range(REPLICAS)]
    running = [await start.__aenter__() for start in starts]
    stopped: set[int] = set()
    try:
        asks = [counting_asks(billing) for billing in running]
        org = await running[0].buyer()
        order = await running[0].order(org)
        payment = await running[1].pay(org, order["id"])

        await wait_for(lambda: sum(map(len, asks)) >= 5)

        [leading] = [index for index, asked in enumerate(asks) if asked]
        [other] = [index for index in range(REPLICAS) if index != leading]
        assert set(asks[leading]) == {payment["payment_id"]}

        await starts[leading].__aexit__(None, None, None)
        stopped.add(leading)
        await wait_for(lambda: bool(asks[other]))
        survivor = running[other]
        await survivor.sql(
            "UPDATE test_provider_payments SET settles_at = now() - interval '1 second'"
            " WHERE payment_id = :payment_id",
            payment_id=payment["payment_id"],
        )
        await survivor.wait_for_status(org, order["id"], "paid")
        [(entitlements,)] = await survivor.sql(
            "SELECT count(*) FROM entitlements WHERE order_id = :id", id=order["id"]
        )
        assert entitlements == 1
    finally:
        for index, start in enumerate(starts):
            if index not in stopped:
                await start.__aexit__(None, None, None)


async def test_replicas_expiring_reservations_at_once_release_the_stock_once(
    billing: Billing, database_url: str
) -> None:
    org = await billing.buyer()
    orders = [await unpaid_tool_order(billing, org, quantity=2) for _ in range(5)]
    for order_id in orders:
        await age_reservation(billing, order_id)
    assert await stock(billing, "TOOL_ENET_CABLE") == 90
    pools = [Database(database_url, pool_size=2) for _ in range(4)]
    try:
        expired = await asyncio.gather(
            *(expire_unpaid_orders(pool, now=datetime.now(UTC)) for pool in pools)
        )
    finally:
        for pool in pools:
            await pool.dispose()

    assert sum(expired) == len(orders)
    assert await stock(billing, "TOOL_ENET_CABLE") == 100
    for order_id in orders:
        assert (await billing.get_order(org, order_id))["status"] == "expired"


async def test_replicas_queueing_expiry_warnings_at_once_queue_each_once(
    billing: Billing, database_url: str
) -> None:
    org = billing.org()
    await add_customer(billing, org, invoice_email="office@muster-kfz.example")
    await choose(billing, org, email=True, hours_before=24)
    await billing.buy(org, "AIR_1D")
    await billing.buy(org, "PROGRAMMING_1D")
    now = datetime.now(UTC)
    pools = [Database(database_url, pool_size=2) for _ in range(4)]

    async def queue(pool: Database) -> int:
        async with pool.transaction() as session:
            return await queue_expiry_warnings(session, now=now)

    try:
        queued = await asyncio.gather(*(queue(pool) for pool in pools))
    finally:
        for pool in pools:
            await pool.dispose()

    assert sum(queued) == 2
    rows = await billing.sql("SELECT scope FROM expiry_notices ORDER BY scope")
    assert [row.scope for row in rows] == ["AIR", "PROGRAMMING"]
