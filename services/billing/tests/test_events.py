import asyncio
import time
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer

from aos.events.v1 import billing_pb2


def _utc(stamp) -> datetime:
    return stamp.ToDatetime(tzinfo=UTC)


async def outbox(billing) -> list:
    return await billing.sql(
        "SELECT topic, event_type, aggregate_id, source, payload FROM outbox ORDER BY id"
    )


async def test_payment_records_order_paid_and_entitlement_granted_in_the_outbox(billing) -> None:
    org = billing.org()
    order = await billing.buy(org, "PROGRAMMING_1W")
    rows = await outbox(billing)
    # The logical topic: the relay adds the deployment's namespace when it publishes.
    topic = "billing.v1"
    assert [(r.topic, r.event_type, r.aggregate_id, r.source) for r in rows] == [
        (topic, "aos.events.v1.InvoiceIssued", str(org.id), "billing"),
        (topic, "aos.events.v1.OrderPaid", str(org.id), "billing"),
        (topic, "aos.events.v1.EntitlementGranted", str(org.id), "billing"),
    ]
    paid = billing_pb2.OrderPaid.FromString(rows[1].payload)
    issued = billing_pb2.InvoiceIssued.FromString(rows[0].payload)
    assert paid.invoice_number == issued.number
    assert issued.gross_minor == paid.amount_minor
    assert paid.order_id == order["id"]
    assert paid.organization_id == str(org.id)
    assert paid.product_code == "PROGRAMMING_1W"
    assert paid.amount_minor == 46410  # 39000 + 19 % VAT
    assert paid.currency == "EUR"
    granted = billing_pb2.EntitlementGranted.FromString(rows[2].payload)
    [entitlement] = (await billing.client.get("/entitlements", headers=org.headers)).json()["items"]
    assert granted.entitlement_id == entitlement["id"]
    assert granted.order_id == order["id"]
    assert granted.scope == billing_pb2.SCOPE_PROGRAMMING
    assert _utc(granted.valid_from) == datetime.fromisoformat(entitlement["valid_from"])
    assert _utc(granted.valid_until) == datetime.fromisoformat(entitlement["valid_until"])


async def test_repeated_callback_records_no_further_events(billing) -> None:
    org = billing.org()
    await billing.buy(org)
    [delivered] = await billing.delivered_callbacks()
    await billing.post_callback(delivered)
    assert len(await outbox(billing)) == 3  # InvoiceIssued, OrderPaid, EntitlementGranted


async def test_rejected_callback_records_no_events(slow_billing) -> None:
    org = slow_billing.org()
    order = await slow_billing.order(org)
    payment = await slow_billing.pay(org, order["id"])
    await slow_billing.post_callback(
        {
            "payment_id": payment["payment_id"],
            "order_reference": order["id"],
            "status": "succeeded",
            "amount_minor": 1,
            "currency": "EUR",
        }
    )
    assert await outbox(slow_billing) == []


async def _wait_until_published(billing, *, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while await billing.sql("SELECT 1 FROM outbox WHERE published_at IS NULL"):
        assert time.monotonic() < deadline, "the relay did not publish the outbox"
        await asyncio.sleep(0.1)


async def test_relay_publishes_entitlement_granted_to_kafka(
    start_billing, kafka_bootstrap_servers
) -> None:
    async with start_billing(run_background_workers=True) as billing:
        org = billing.org()
        order = await billing.buy(org, "AIR_1D")
        await _wait_until_published(billing)
        [entitlement] = (await billing.client.get("/entitlements", headers=org.headers)).json()[
            "items"
        ]
    # The relay adds the deployment's namespace to the outbox's logical topic.
    topic = f"{billing.settings.topic_namespace}billing.v1"
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap_servers,
        group_id=f"test-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        granted = None
        deadline = time.monotonic() + 30
        while granted is None and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=1000)
            for record in (r for records in batches.values() for r in records):
                headers = {k: v.decode() for k, v in record.headers}
                if headers["ce_type"] == "aos.events.v1.EntitlementGranted":
                    granted = (record, headers)
    finally:
        await consumer.stop()
    assert granted is not None, f"no EntitlementGranted on {topic}"
    record, headers = granted
    assert record.key == str(org.id).encode()
    assert headers["ce_source"] == "billing"
    assert headers["ce_aggregateid"] == str(org.id)
    message = billing_pb2.EntitlementGranted.FromString(record.value)
    assert message.organization_id == str(org.id)
    assert message.order_id == order["id"]
    assert message.scope == billing_pb2.SCOPE_AIR
    assert _utc(message.valid_from) == datetime.fromisoformat(entitlement["valid_from"])
    assert _utc(message.valid_until) == datetime.fromisoformat(entitlement["valid_until"])
    assert (message.valid_until.seconds - message.valid_from.seconds) == 86400
