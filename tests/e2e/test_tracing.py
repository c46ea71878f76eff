"""One trace for a purchase: gateway → billing → outbox → Kafka → air, as the real processes
export it over OTLP to a collector (conftest's ``otlp_receiver``)."""

from __future__ import annotations

import json
import secrets
import time

import httpx
import pytest
from workshop import buy_pass, register_and_log_in

from conftest import System
from servicekit.testing import OtlpReceiver, ReceivedSpan

# Run alone, this test pays for starting the whole system (about a minute on a busy machine).
pytestmark = pytest.mark.timeout(300)

GRANTED = "aos.events.v1.EntitlementGranted"
EXPORT_TIMEOUT_S = 30.0
EXPECTED = {
    ("gateway", "SERVER"),
    ("billing", "SERVER"),
    ("billing", "CLIENT"),
    ("billing", "PRODUCER"),
    ("air", "CONSUMER"),
}


def one(spans: list[ReceivedSpan], **wanted: str) -> ReceivedSpan | None:
    """The one span with these fields (None while it has not arrived); fails on several."""
    found = [s for s in spans if all(getattr(s, k) == v for k, v in wanted.items())]
    assert len(found) <= 1, found
    return found[0] if found else None


def test_a_purchase_is_one_trace_across_gateway_billing_kafka_and_air(
    system: System, http: httpx.Client, otlp_receiver: OtlpReceiver
) -> None:
    workshop = register_and_log_in(http, system.maildir, company="Traced Werkstatt GmbH")
    trace_id = secrets.token_hex(16)
    caller_span = secrets.token_hex(8)
    # The client (the test on 127.0.0.1, a trusted proxy by default) starts the trace.
    buy_pass(
        http,
        workshop,
        "AIR_1D",
        payment_headers={"traceparent": f"00-{trace_id}-{caller_span}-01"},
    )

    # Each process exports in batches of its own: wait, bounded, until every part is in.
    deadline = time.monotonic() + EXPORT_TIMEOUT_S
    while True:
        spans = [s for s in otlp_receiver.spans if s.trace_id == trace_id]
        arrived = {(s.service, s.kind) for s in spans}
        if arrived >= EXPECTED or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    described = sorted(f"{s.service} {s.kind} {s.name}" for s in spans)

    edge = one(spans, service="gateway", kind="SERVER", name="POST /api/billing")
    assert edge is not None, described
    assert edge.parent_span_id == caller_span
    payment = one(spans, service="billing", kind="SERVER", name="POST /orders/{order_id}/payment")
    assert payment is not None, described
    assert payment.parent_span_id == edge.span_id
    callback = one(spans, service="billing", kind="CLIENT", name="payment callback")
    assert callback is not None, described
    assert callback.parent_span_id == payment.span_id
    webhook = one(spans, service="billing", kind="SERVER", name="POST /payments/webhook")
    assert webhook is not None, described
    assert webhook.parent_span_id == callback.span_id
    [publish] = [
        s
        for s in spans
        if s.service == "billing"
        and s.kind == "PRODUCER"
        and s.attributes["aos.event_type"] == GRANTED
    ]
    assert publish.parent_span_id == webhook.span_id
    assert publish.name.endswith("billing.v1")
    [consume] = [
        s
        for s in spans
        if s.service == "air" and s.kind == "CONSUMER" and s.attributes["aos.event_type"] == GRANTED
    ]
    assert consume.parent_span_id == publish.span_id
    assert consume.attributes["messaging.message.id"] == publish.attributes["messaging.message.id"]

    # The consumer's log lines name the trace too: from a trace to its lines and back.
    lines = [
        json.loads(line)
        for line in (system.log_dir / "air.log").read_text(errors="replace").splitlines()
        if trace_id in line
    ]
    assert any(
        line.get("event") == "entitlement projected" and line.get("span_id") == consume.span_id
        for line in lines
    ), lines
