import asyncio
import time
import uuid
from datetime import datetime, timedelta

PROBLEM = "application/problem+json"


def callback_for(order: dict, payment_id: str, **changes) -> dict:
    payload = {
        "payment_id": payment_id,
        "order_reference": order["id"],
        "status": "succeeded",
        "amount_minor": order["totals"]["gross_minor"],
        "currency": order["totals"]["currency"],
    }
    payload.update(changes)
    return payload


async def test_payment_is_accepted_as_pending_with_a_payment_id(slow_billing) -> None:
    org = slow_billing.org()
    order = await slow_billing.order(org)
    response = await slow_billing.client.post(
        f"/orders/{order['id']}/payment", headers=org.purchase_headers()
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    assert body["order_id"] == order["id"]
    assert body["payment_id"].startswith("pay_test_")
    stored = await slow_billing.get_order(org, order["id"])
    assert stored["payment_id"] == body["payment_id"]
    assert stored["status"] == "pending_payment"


async def test_provider_callback_through_the_webhook_marks_the_order_paid(billing) -> None:
    org = billing.org()
    order = await billing.order(org, "AIR_1H")
    await billing.pay(org, order["id"])
    paid = await billing.wait_for_status(org, order["id"], "paid")
    assert paid["paid_at"] is not None
    assert len(await billing.delivered_callbacks()) == 1


async def test_paid_order_grants_an_entitlement_with_time_left(billing) -> None:
    org = billing.org()
    order = await billing.buy(org, "AIR_1H")
    response = await billing.client.get("/entitlements", headers=org.headers)
    assert response.status_code == 200
    [entitlement] = response.json()["items"]
    assert entitlement["scope"] == "AIR"
    assert entitlement["order_id"] == order["id"]
    assert entitlement["active"] is True
    assert 3590 <= entitlement["seconds_left"] <= 3600
    valid_from = datetime.fromisoformat(entitlement["valid_from"])
    valid_until = datetime.fromisoformat(entitlement["valid_until"])
    assert valid_until - valid_from == timedelta(hours=1)


async def test_second_purchase_extends_the_window_without_gap(billing) -> None:
    org = billing.org()
    first = await billing.buy(org, "AIR_1H")
    second = await billing.buy(org, "AIR_1D")
    items = (await billing.client.get("/entitlements", headers=org.headers)).json()["items"]
    by_order = {e["order_id"]: e for e in items}
    earlier, later = by_order[first["id"]], by_order[second["id"]]
    assert later["valid_from"] == earlier["valid_until"]
    assert later["active"] is False
    assert later["seconds_left"] == 86400
    summary = (await billing.client.get("/entitlements/summary", headers=org.headers)).json()
    air = next(s for s in summary["scopes"] if s["scope"] == "AIR")
    assert air["valid_until"] == later["valid_until"]
    assert 86400 + 3590 <= air["seconds_left"] <= 86400 + 3600


async def test_scopes_chain_independently(billing) -> None:
    org = billing.org()
    await billing.buy(org, "AIR_1H")
    await billing.buy(org, "PROGRAMMING_1H")
    items = (await billing.client.get("/entitlements", headers=org.headers)).json()["items"]
    assert sorted(e["scope"] for e in items) == ["AIR", "PROGRAMMING"]
    assert all(e["active"] for e in items)


async def test_paying_a_paid_order_is_409_problem(billing) -> None:
    org = billing.org()
    order = await billing.buy(org)
    response = await billing.client.post(
        f"/orders/{order['id']}/payment", headers=org.purchase_headers()
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/order-already-paid"


async def test_paying_again_while_a_payment_is_pending_is_409_problem(slow_billing) -> None:
    org = slow_billing.org()
    order = await slow_billing.order(org)
    started = await slow_billing.pay(org, order["id"])
    response = await slow_billing.client.post(
        f"/orders/{order['id']}/payment", headers=org.purchase_headers()
    )
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/payment-in-progress"
    assert response.json()["payment_id"] == started["payment_id"]


async def test_payment_retry_with_the_same_key_replays_the_same_payment(slow_billing) -> None:
    org = slow_billing.org()
    order = await slow_billing.order(org)
    headers = org.purchase_headers("pay-once")
    first = await slow_billing.client.post(f"/orders/{order['id']}/payment", headers=headers)
    again = await slow_billing.client.post(f"/orders/{order['id']}/payment", headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"


async def test_payment_key_reused_for_another_order_is_422(slow_billing) -> None:
    org = slow_billing.org()
    one, two = await slow_billing.order(org), await slow_billing.order(org)
    headers = org.purchase_headers("pay-key")
    await slow_billing.client.post(f"/orders/{one['id']}/payment", headers=headers)
    response = await slow_billing.client.post(f"/orders/{two['id']}/payment", headers=headers)
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/idempotency-key-reused"


async def test_payment_without_idempotency_key_is_400_problem(billing) -> None:
    org = billing.org()
    order = await billing.order(org)
    response = await billing.client.post(f"/orders/{order['id']}/payment", headers=org.headers)
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/idempotency-key-missing"


async def test_other_organisation_cannot_pay_an_order_it_does_not_own(billing) -> None:
    org_a, org_b = billing.org(), billing.org()
    order = await billing.order(org_a)
    response = await billing.client.post(
        f"/orders/{order['id']}/payment", headers=org_b.purchase_headers()
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    await asyncio.sleep(0.2)
    unchanged = await billing.get_order(org_a, order["id"])
    assert unchanged["status"] == "pending_payment"
    assert unchanged["payment_id"] is None


async def test_paying_an_unknown_order_is_404_problem(billing) -> None:
    org = billing.org()
    response = await billing.client.post(
        f"/orders/{uuid.uuid4()}/payment", headers=org.purchase_headers()
    )
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/order-not-found"


async def test_paying_a_non_uuid_order_id_is_422_problem(billing) -> None:
    org = billing.org()
    response = await billing.client.post("/orders/42/payment", headers=org.purchase_headers())
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


async def test_hand_signed_callback_pays_the_order(slow_billing) -> None:
    org = slow_billing.org()
    order = await slow_billing.order(org, "PROGRAMMING_1D")
    payment = await slow_billing.pay(org, order["id"])
    response = await slow_billing.post_callback(callback_for(order, payment["payment_id"]))
    assert response.status_code == 200
    assert response.json() == {"order_id": order["id"], "order_status": "paid", "changed": True}
    assert (await slow_billing.get_order(org, order["id"]))["status"] == "paid"


async def test_callback_with_bad_signature_is_401_and_order_stays_unpaid(slow_billing) -> None:
    org = slow_billing.org()
    order = await slow_billing.order(org)
    payment = await slow_billing.pay(org, order["id"])
    response = await slow_billing.post_callback(
        callback_for(order, payment["payment_id"]), secret="not-the-shared-secret"
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/invalid-signature"
    assert (await slow_billing.get_order(org, order["id"]))["status"] == "pending_payment"
    assert await slow_billing.sql("SELECT count(*) FROM entitlements") == [(0,)]


async def test_callback_without_signature_is_401(slow_billing) -> None:
    org = slow_billing.org()
    order = await slow_billing.order(org)
    payment = await slow_billing.pay(org, order["id"])
    response = await slow_billing.client.post(
        "/payments/webhook", json=callback_for(order, payment["payment_id"])
    )
    assert response.status_code == 401
    assert "AOS-Signature header is missing" in response.json()["detail"]


async def test_callback_signed_six_minutes_ago_is_401(slow_billing) -> None:
    org = slow_billing.org()
    order = await slow_billing.order(org)
    payment = await slow_billing.pay(org, order["id"])
    response = await slow_billing.post_callback(
        callback_for(order, payment["payment_id"]), timestamp=int(time.time()) - 360
    )
    assert response.status_code == 401
    assert (await slow_billing.get_order(org, order["id"]))["status"] == "pending_payment"


async def test_repeated_callback_changes_nothing_and_grants_once(billing) -> None:
    org = billing.org()
    order = await billing.buy(org, "AIR_1H")
    [delivered] = await billing.delivered_callbacks()
    again = await billing.post_callback(delivered)
    assert again.status_code == 200
    assert again.json()["changed"] is False
    assert again.json()["order_status"] == "paid"
    assert await billing.sql("SELECT count(*) FROM entitlements") == [(1,)]
    assert (await billing.get_order(org, order["id"]))["paid_at"] == order["paid_at"]


async def test_concurrent_repeated_callbacks_grant_once(slow_billing) -> None:
    org = slow_billing.org()
    order = await slow_billing.order(org)
    payment = await slow_billing.pay(org, order["id"])
    payload = callback_for(order, payment["payment_id"])
    responses = await asyncio.gather(*(slow_billing.post_callback(payload) for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5
    assert sum(r.json()["changed"] for r in responses) == 1
    assert await slow_billing.sql("SELECT count(*) FROM entitlements") == [(1,)]


async def test_callback_with_wrong_amount_is_422_and_order_stays_unpaid(slow_billing) -> None:
    org = slow_billing.org()
    order = await slow_billing.order(org, "AIR_1D")
    payment = await slow_billing.pay(org, order["id"])
    response = await slow_billing.post_callback(
        callback_for(order, payment["payment_id"], amount_minor=1)
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/payment-amount-mismatch"
    assert (await slow_billing.get_order(org, order["id"]))["status"] == "pending_payment"
    assert await slow_billing.sql("SELECT count(*) FROM entitlements") == [(0,)]


async def test_callback_with_wrong_currency_is_422(slow_billing) -> None:
    org = slow_billing.org()
    order = await slow_billing.order(org)
    payment = await slow_billing.pay(org, order["id"])
    response = await slow_billing.post_callback(
        callback_for(order, payment["payment_id"], currency="USD")
    )
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/payment-amount-mismatch"


async def test_callback_for_an_unknown_order_is_404_problem(billing) -> None:
    response = await billing.post_callback(
        {
            "payment_id": "pay_x",
            "order_reference": str(uuid.uuid4()),
            "status": "succeeded",
            "amount_minor": 833,
            "currency": "EUR",
        }
    )
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/order-not-found"


async def test_callback_for_a_payment_the_order_does_not_have_is_409(slow_billing) -> None:
    org = slow_billing.org()
    order = await slow_billing.order(org)
    await slow_billing.pay(org, order["id"])
    response = await slow_billing.post_callback(callback_for(order, "pay_someone_else"))
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/payment-not-recognised"
    assert (await slow_billing.get_order(org, order["id"]))["status"] == "pending_payment"


async def test_signed_callback_with_malformed_json_is_400_problem(billing) -> None:
    response = await billing.post_callback(b'{"payment_id": ')
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/malformed-json"


async def test_signed_callback_with_wrong_types_is_422_problem(billing) -> None:
    response = await billing.post_callback(
        {
            "payment_id": "pay_x",
            "order_reference": "not-a-uuid",
            "status": "succeeded",
            "amount_minor": "833",
            "currency": "EUR",
        }
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"order_reference", "amount_minor"}


async def test_oversized_callback_is_413_problem(billing) -> None:
    response = await billing.post_callback(b"x" * (billing.settings.max_body_bytes + 1))
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


async def test_declined_payment_fails_the_order_without_entitlement(start_billing) -> None:
    async with start_billing(test_provider_decline=True) as billing:
        org = billing.org()
        order = await billing.order(org)
        await billing.pay(org, order["id"])
        failed = await billing.wait_for_status(org, order["id"], "failed")
        assert failed["paid_at"] is None
        assert await billing.sql("SELECT count(*) FROM entitlements") == [(0,)]


async def test_failed_order_can_be_paid_again(slow_billing) -> None:
    org = slow_billing.org()
    order = await slow_billing.order(org)
    first = await slow_billing.pay(org, order["id"])
    declined = await slow_billing.post_callback(
        callback_for(order, first["payment_id"], status="failed")
    )
    assert declined.json()["order_status"] == "failed"
    second = await slow_billing.pay(org, order["id"])
    assert second["payment_id"] != first["payment_id"]
    paid = await slow_billing.post_callback(callback_for(order, second["payment_id"]))
    assert paid.json()["order_status"] == "paid"
