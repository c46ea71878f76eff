"""Reconciliation: a payment whose callback never came is asked from the provider, then
settled through the webhook's code path (exactly once) or failed (the order may be paid again).

The test provider of these apps waits a minute before calling back, so the callback does not
come during a test unless the test sends it; "the provider settled it" is set in the provider's
own table, and "later" is a ``now`` handed to the reconciliation, not a wait.
"""

from datetime import UTC, datetime, timedelta

from billing.services.invoicing import seller_party
from billing.services.reconciliation import reconcile_pending_payments

AFTER = timedelta(minutes=5)


async def settle_at_provider(billing, payment_id: str) -> None:
    """The provider has decided the payment (its callback is still a minute away)."""
    await billing.sql(
        "UPDATE test_provider_payments SET settles_at = now() - interval '1 second' "
        "WHERE payment_id = :payment_id",
        payment_id=payment_id,
    )


async def reconcile(billing, *, later: timedelta = AFTER + timedelta(seconds=1)):
    return await reconcile_pending_payments(
        billing.app.state.database,
        billing.provider,
        older_than=AFTER,
        now=datetime.now(UTC) + later,
        seller=seller_party(billing.settings),
    )


async def counts(billing, order_id: str) -> tuple[int, int]:
    """(entitlements of the order, events in the outbox: OrderPaid, EntitlementGranted and
    InvoiceIssued for a paid pass)."""
    [(entitlements,)] = await billing.sql(
        "SELECT count(*) FROM entitlements WHERE order_id = :id", id=order_id
    )
    [(events,)] = await billing.sql("SELECT count(*) FROM outbox")
    return entitlements, events


async def test_an_overdue_payment_the_provider_settled_is_paid_and_granted_once(
    slow_billing,
) -> None:
    org = await slow_billing.buyer()
    order = await slow_billing.order(org, "AIR_1D")
    payment = await slow_billing.pay(org, order["id"])
    await settle_at_provider(slow_billing, payment["payment_id"])

    result = await reconcile(slow_billing)

    assert (result.checked, result.paid) == (1, 1)
    paid = await slow_billing.get_order(org, order["id"])
    assert paid["status"] == "paid"
    assert await counts(slow_billing, order["id"]) == (1, 3)
    # The same code path as the webhook: neither a second run nor the late callback grants again.
    assert (await reconcile(slow_billing)).checked == 0
    late = await slow_billing.post_callback(
        {
            "payment_id": payment["payment_id"],
            "order_reference": order["id"],
            "status": "succeeded",
            "amount_minor": order["totals"]["gross_minor"],
            "currency": order["totals"]["currency"],
        }
    )
    assert late.json()["changed"] is False
    assert await counts(slow_billing, order["id"]) == (1, 3)


async def test_a_payment_declined_at_the_provider_fails_and_the_order_can_be_paid_again(
    start_billing,
) -> None:
    async with start_billing(test_provider_decline=True, test_provider_delay_seconds=60) as billing:
        org = await billing.buyer()
        order = await billing.order(org)
        first = await billing.pay(org, order["id"])
        await settle_at_provider(billing, first["payment_id"])

        result = await reconcile(billing)

        assert (result.checked, result.failed) == (1, 1)
        assert (await billing.get_order(org, order["id"]))["status"] == "failed"
        again = await billing.client.post(
            f"/orders/{order['id']}/payment", headers=org.purchase_headers()
        )
        assert again.status_code == 202, again.text
        assert again.json()["payment_id"] != first["payment_id"]
        assert await counts(billing, order["id"]) == (0, 0)


async def test_a_payment_the_provider_does_not_know_fails_so_the_order_can_be_paid_again(
    slow_billing,
) -> None:
    org = await slow_billing.buyer()
    order = await slow_billing.order(org)
    payment = await slow_billing.pay(org, order["id"])
    await slow_billing.sql(
        "DELETE FROM test_provider_payments WHERE payment_id = :id", id=payment["payment_id"]
    )

    result = await reconcile(slow_billing)

    assert (result.checked, result.failed) == (1, 1)
    assert (await slow_billing.get_order(org, order["id"]))["status"] == "failed"
    again = await slow_billing.client.post(
        f"/orders/{order['id']}/payment", headers=org.purchase_headers()
    )
    assert again.status_code == 202, again.text


async def test_a_payment_still_pending_at_the_provider_stays_pending(slow_billing) -> None:
    org = await slow_billing.buyer()
    order = await slow_billing.order(org)
    await slow_billing.pay(org, order["id"])

    result = await reconcile(slow_billing)

    assert (result.checked, result.still_pending) == (1, 1)
    assert (await slow_billing.get_order(org, order["id"]))["status"] == "pending_payment"


async def test_a_payment_younger_than_the_setting_is_left_to_its_callback(slow_billing) -> None:
    org = await slow_billing.buyer()
    order = await slow_billing.order(org)
    payment = await slow_billing.pay(org, order["id"])
    await settle_at_provider(slow_billing, payment["payment_id"])

    result = await reconcile(slow_billing, later=AFTER - timedelta(seconds=30))

    assert result.checked == 0
    assert (await slow_billing.get_order(org, order["id"]))["status"] == "pending_payment"


async def test_the_background_reconciliation_pays_an_order_whose_callback_never_came(
    start_billing,
) -> None:
    async with start_billing(
        test_provider_delay_seconds=60,
        run_background_workers=True,
        payment_reconcile_after_seconds=1,
        payment_reconcile_interval_seconds=0.1,
    ) as billing:
        org = await billing.buyer()
        order = await billing.order(org)
        payment = await billing.pay(org, order["id"])
        await settle_at_provider(billing, payment["payment_id"])

        await billing.wait_for_status(org, order["id"], "paid")

        assert billing.provider.delivered == []
        [(entitlements,)] = await billing.sql(
            "SELECT count(*) FROM entitlements WHERE order_id = :id", id=order["id"]
        )
        assert entitlements == 1
