"""The tool shop's stock: reserved at checkout, never oversold, released when an order stays
unpaid past its reservation."""

import asyncio
from datetime import UTC, datetime

from billing.services.reservations import expire_unpaid_orders

PROBLEM = "application/problem+json"


async def stock(billing, code: str) -> int:
    [(left,)] = await billing.sql("SELECT stock_available FROM products WHERE code = :c", c=code)
    return left


async def test_ten_concurrent_buyers_of_the_last_unit_buy_it_once(billing) -> None:
    await billing.sql("UPDATE products SET stock_available = 1 WHERE code = 'TOOL_ICOM_VCI'")
    buyers = [await billing.buyer() for _ in range(10)]
    answers = await asyncio.gather(
        *(billing.checkout(org, billing.cart(("TOOL_ICOM_VCI", 1))) for org in buyers)
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * 9, [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.headers["content-type"] == PROBLEM
            problem = answer.json()
            assert problem["code"] == "out-of-stock"
            assert (problem["product_code"], problem["available"]) == ("TOOL_ICOM_VCI", 0)
    assert await stock(billing, "TOOL_ICOM_VCI") == 0
    assert await billing.sql(
        "SELECT count(*) FROM order_lines WHERE product_code = 'TOOL_ICOM_VCI'"
    ) == [(1,)]


async def test_asking_for_more_than_is_left_reserves_nothing_of_the_cart(billing) -> None:
    await billing.sql("UPDATE products SET stock_available = 2 WHERE code = 'TOOL_ICOM_VCI'")
    org = await billing.buyer()
    response = await billing.checkout(
        org, billing.cart(("TOOL_ENET_CABLE", 5), ("TOOL_ICOM_VCI", 3))
    )
    assert response.status_code == 409
    problem = response.json()
    assert (problem["available"], problem["requested"]) == (2, 3)
    assert "Only 2 of TOOL_ICOM_VCI left" in problem["detail"]
    # The cable reserved first went back with the failed checkout.
    assert await stock(billing, "TOOL_ENET_CABLE") == 100
    assert await billing.sql("SELECT count(*) FROM orders") == [(0,)]


async def test_two_lines_of_one_tool_count_together(billing) -> None:
    await billing.sql("UPDATE products SET stock_available = 3 WHERE code = 'TOOL_ICOM_VCI'")
    org = await billing.buyer()
    response = await billing.checkout(org, billing.cart(("TOOL_ICOM_VCI", 2), ("TOOL_ICOM_VCI", 2)))
    assert response.status_code == 409
    assert response.json()["requested"] == 4
    assert await stock(billing, "TOOL_ICOM_VCI") == 3


async def unpaid_tool_order(billing, org, quantity: int = 2) -> str:
    """An order of cables whose payment never started (the one-line shorthand)."""
    response = await billing.client.post(
        "/orders",
        json={"product_code": "TOOL_ENET_CABLE", "quantity": quantity},
        headers=org.purchase_headers(),
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def age_reservation(billing, order_id: str) -> None:
    await billing.sql(
        "UPDATE orders SET reservation_expires_at = now() - interval '1 second' WHERE id = :id",
        id=order_id,
    )


async def test_an_unpaid_order_past_its_reservation_expires_and_its_stock_returns(
    billing,
) -> None:
    org = await billing.buyer()
    order_id = await unpaid_tool_order(billing, org, quantity=2)
    kept_id = await unpaid_tool_order(billing, org, quantity=1)
    assert await stock(billing, "TOOL_ENET_CABLE") == 97
    await age_reservation(billing, order_id)

    expired = await expire_unpaid_orders(billing.app.state.database, now=datetime.now(UTC))

    assert expired == 1
    assert (await billing.get_order(org, order_id))["status"] == "expired"
    assert (await billing.get_order(org, kept_id))["status"] == "pending_payment"
    assert await stock(billing, "TOOL_ENET_CABLE") == 99
    # A second sweep finds nothing more to release.
    assert await expire_unpaid_orders(billing.app.state.database, now=datetime.now(UTC)) == 0
    assert await stock(billing, "TOOL_ENET_CABLE") == 99


async def test_an_expired_order_cannot_be_paid(billing) -> None:
    org = await billing.buyer()
    order_id = await unpaid_tool_order(billing, org)
    await age_reservation(billing, order_id)
    # Not swept yet: past its reservation it is refused all the same.
    response = await billing.client.post(
        f"/orders/{order_id}/payment", headers=org.purchase_headers()
    )
    assert response.status_code == 409
    assert response.json()["code"] == "order-expired"
    await expire_unpaid_orders(billing.app.state.database, now=datetime.now(UTC))
    response = await billing.client.post(
        f"/orders/{order_id}/payment", headers=org.purchase_headers()
    )
    assert response.json()["code"] == "order-expired"


async def test_an_order_whose_payment_is_under_way_does_not_expire(slow_billing) -> None:
    org = await slow_billing.buyer()
    placed = await slow_billing.checkout(org, slow_billing.cart(("TOOL_ENET_CABLE", 1)))
    order_id = placed.json()["order"]["id"]
    assert placed.json()["payment"]["status"] == "pending"
    await age_reservation(slow_billing, order_id)
    assert await expire_unpaid_orders(slow_billing.app.state.database, now=datetime.now(UTC)) == 0
    assert (await slow_billing.get_order(org, order_id))["status"] == "pending_payment"


async def test_the_running_service_expires_unpaid_orders_on_its_own(start_billing) -> None:
    async with start_billing(run_background_workers=True, stock_sweep_seconds=0.05) as billing:
        org = await billing.buyer()
        order_id = await unpaid_tool_order(billing, org, quantity=4)
        await age_reservation(billing, order_id)
        await billing.wait_for_status(org, order_id, "expired")
        assert await stock(billing, "TOOL_ENET_CABLE") == 100


async def test_a_declined_order_past_its_reservation_expires_too(start_billing) -> None:
    async with start_billing(test_provider_decline=True) as billing:
        org = await billing.buyer()
        placed = await billing.checkout(org, billing.cart(("TOOL_ICOM_VCI", 2)))
        order_id = placed.json()["order"]["id"]
        await billing.wait_for_status(org, order_id, "failed")
        assert await stock(billing, "TOOL_ICOM_VCI") == 18
        await age_reservation(billing, order_id)
        assert await expire_unpaid_orders(billing.app.state.database, now=datetime.now(UTC)) == 1
        assert (await billing.get_order(org, order_id))["status"] == "expired"
        assert await stock(billing, "TOOL_ICOM_VCI") == 20
