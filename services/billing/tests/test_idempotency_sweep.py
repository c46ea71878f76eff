"""Expired Idempotency-Keys are deleted: a key is kept for the retention period, then free."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

from billing.services.idempotency import SWEEP_BATCH, sweep_expired_keys

RETENTION = timedelta(hours=24)


async def age_key(billing: Any, key: str, hours: float) -> None:
    await billing.sql(
        "UPDATE idempotency_keys SET created_at = now() - make_interval(secs => :seconds) "
        "WHERE key = :key",
        seconds=hours * 3600,
        key=key,
    )


async def test_a_key_past_retention_is_deleted_and_a_fresh_one_still_replays(
    billing: Any,
) -> None:
    org = await billing.buyer()
    old_key, fresh_key = "order-old", "order-fresh"
    for key in (old_key, fresh_key):
        response = await billing.client.post(
            "/orders", json={"product_code": "AIR_1H"}, headers=org.purchase_headers(key)
        )
        assert response.status_code == 201, response.text
    await age_key(billing, old_key, hours=25)
    await age_key(billing, fresh_key, hours=23)

    deleted = await sweep_expired_keys(billing.app.state.database, retention=RETENTION)

    assert deleted == 1
    replay = await billing.client.post(
        "/orders", json={"product_code": "AIR_1H"}, headers=org.purchase_headers(fresh_key)
    )
    assert replay.headers["idempotent-replayed"] == "true"
    # The expired key is free again: a different request with it is a new order, not a 422.
    reused = await billing.client.post(
        "/orders", json={"product_code": "AIR_1D"}, headers=org.purchase_headers(old_key)
    )
    assert reused.status_code == 201, reused.text
    assert "idempotent-replayed" not in reused.headers
    assert reused.json()["lines"][0]["product_code"] == "AIR_1D"


async def test_the_sweep_deletes_in_batches_until_none_is_left(billing: Any) -> None:
    count = SWEEP_BATCH * 2 + 7
    await billing.sql(
        "INSERT INTO idempotency_keys (organization_id, key, user_id, request_fingerprint, "
        "response_status, created_at) "
        "SELECT gen_random_uuid(), 'k' || n, gen_random_uuid(), 'f', 201, "
        "now() - interval '2 days' FROM generate_series(1, :count) AS n",
        count=count,
    )

    assert await sweep_expired_keys(billing.app.state.database, retention=RETENTION) == count
    assert await billing.sql("SELECT count(*) FROM idempotency_keys") == [(0,)]


async def test_the_running_service_sweeps_on_its_own(
    start_billing: Callable[..., AbstractAsyncContextManager[Any]],
) -> None:
    async with start_billing(run_background_workers=True, idempotency_sweep_seconds=0.1) as billing:
        org = await billing.buyer()
        response = await billing.client.post(
            "/orders", json={"product_code": "AIR_1H"}, headers=org.purchase_headers("aged")
        )
        assert response.status_code == 201
        await age_key(billing, "aged", hours=48)
        for _ in range(100):
            if await billing.sql("SELECT 1 FROM idempotency_keys WHERE key = 'aged'") == []:
                break
            await asyncio.sleep(0.05)
        assert await billing.sql("SELECT 1 FROM idempotency_keys WHERE key = 'aged'") == []
