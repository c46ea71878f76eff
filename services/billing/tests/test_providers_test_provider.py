"""The fake payment provider behaves like a PSP: signed callbacks, retries without giving up,
idempotency, a queryable payment state, and callbacks that survive a restart."""

import asyncio
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.trace import SpanKind
from sqlalchemy import text

from billing.domain.signatures import verify_signature
from billing.providers import TestPaymentProvider
from servicekit.db import Database
from servicekit.tracing import tracer

SECRET = b"provider-test-secret"
URL = "http://billing.test/payments/webhook"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, pool_size=2)
    yield database
    await database.dispose()


def recording_client(statuses: list[int], seen: list[httpx.Request]) -> httpx.AsyncClient:
    """An HTTP client that answers each callback with the next status of ``statuses``."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(statuses[min(len(seen), len(statuses)) - 1])

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def provider_for(database: Database, http: httpx.AsyncClient, **options) -> TestPaymentProvider:
    values = {"webhook_url": URL, "secret": SECRET, "delay_seconds": 0, **options}
    return TestPaymentProvider(database, http, **values)


async def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)


async def pay(provider: TestPaymentProvider, key: str = "k", reference: str = "order-1"):
    return await provider.create_payment(
        order_reference=reference, amount_minor=833, currency="EUR", idempotency_key=key
    )


async def test_callback_is_signed_so_that_billing_can_verify_it(database) -> None:
    seen: list[httpx.Request] = []
    async with recording_client([200], seen) as http:
        provider = provider_for(database, http)
        provider.start()
        payment = await pay(provider)
        await wait_for(lambda: provider.delivered)
        await provider.aclose()
    [request] = seen
    assert str(request.url) == URL
    body = request.content
    assert verify_signature(
        request.headers["AOS-Signature"], body, secret=SECRET, now=int(time.time())
    )
    assert json.loads(body) == {
        "payment_id": payment.payment_id,
        "order_reference": "order-1",
        "status": "succeeded",
        "amount_minor": 833,
        "currency": "EUR",
    }


async def test_callback_is_retried_until_the_webhook_answers_2xx(database) -> None:
    seen: list[httpx.Request] = []
    async with recording_client([503, 409, 200], seen) as http:
        provider = provider_for(database, http, backoff_seconds=0.01)
        provider.start()
        await pay(provider)
        await wait_for(lambda: provider.delivered)
        await provider.aclose()
    assert len(seen) == 3


async def test_provider_never_gives_up_a_callback(database) -> None:
    seen: list[httpx.Request] = []
    async with recording_client([500] * 12 + [200], seen) as http:
        provider = provider_for(database, http, backoff_seconds=0.001, max_backoff_seconds=0.01)
        provider.start()
        await pay(provider)
        await wait_for(lambda: provider.delivered)
        await provider.aclose()
    assert len(seen) == 13


async def test_same_idempotency_key_returns_the_same_payment_and_calls_back_once(
    database,
) -> None:
    seen: list[httpx.Request] = []
    async with recording_client([200], seen) as http:
        provider = provider_for(database, http)
        first = await pay(provider)
        second = await pay(provider)
        provider.start()
        await wait_for(lambda: provider.delivered)
        await provider.aclose()
    assert first == second
    assert len(seen) == 1


async def test_declining_provider_reports_failed_payments(database) -> None:
    seen: list[httpx.Request] = []
    async with recording_client([200], seen) as http:
        provider = provider_for(database, http, decline=True)
        provider.start()
        await pay(provider)
        await wait_for(lambda: provider.delivered)
        await provider.aclose()
    assert json.loads(seen[0].content)["status"] == "failed"


async def test_a_callback_left_undelivered_is_sent_by_the_next_process(database) -> None:
    refused: list[httpx.Request] = []
    async with recording_client([503], refused) as http:
        before_restart = provider_for(database, http, backoff_seconds=0.01)
        before_restart.start()
        payment = await pay(before_restart)
        await wait_for(lambda: refused)
        await before_restart.aclose()
    seen: list[httpx.Request] = []
    async with recording_client([200], seen) as http:
        after_restart = provider_for(database, http)
        after_restart.start()
        await wait_for(lambda: after_restart.delivered)
        await after_restart.aclose()
    [request] = seen
    assert json.loads(request.content)["payment_id"] == payment.payment_id


async def test_get_payment_reports_pending_until_the_payment_settles(database) -> None:
    async with recording_client([200], []) as http:
        provider = provider_for(database, http, delay_seconds=3600)
        payment = await pay(provider)
        pending = await provider.get_payment(payment.payment_id)
        await database_settle_now(database, payment.payment_id)
        settled = await provider.get_payment(payment.payment_id)
    assert pending is not None and pending.status == "pending"
    assert settled is not None and settled.status == "succeeded"
    assert (settled.order_reference, settled.amount_minor, settled.currency) == (
        "order-1",
        833,
        "EUR",
    )


async def test_get_payment_of_an_unknown_payment_is_none(database) -> None:
    async with recording_client([200], []) as http:
        assert await provider_for(database, http).get_payment("pay_test_unknown") is None


async def database_settle_now(database: Database, payment_id: str) -> None:
    """Move the payment's settlement into the past, as if its delay had passed."""
    async with database.transaction() as session:
        await session.execute(
            text(
                "UPDATE test_provider_payments SET settles_at = now() - interval '1 second' "
                "WHERE payment_id = :payment_id"
            ),
            {"payment_id": payment_id},
        )


async def test_closing_the_provider_stops_callbacks_that_are_not_due(database) -> None:
    seen: list[httpx.Request] = []
    async with recording_client([200], seen) as http:
        provider = provider_for(database, http, delay_seconds=30)
        provider.start()
        await pay(provider)
        await provider.aclose()
    assert seen == []


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
async def test_closing_as_a_payment_wakes_the_loop_still_stops_it(database, turns: int) -> None:
    """A close that lands in the loop turns between a wake-up and the loop resuming (the window
    where Python 3.11's wait_for swallows a cancellation) must still end the delivery loop."""
    async with recording_client([200], []) as http:
        provider = provider_for(database, http, delay_seconds=3600)
        provider.start()
        await pay(provider)
        await asyncio.sleep(0.2)  # the loop has looked and waits for the next wake-up
        provider._wake.set()
        for _ in range(turns):
            await asyncio.sleep(0)
        try:
            async with asyncio.timeout(5):
                await provider.aclose()
        except TimeoutError:
            pytest.fail("the delivery loop ignored its cancellation")


async def test_callback_continues_the_trace_of_the_request_that_created_the_payment(
    database, captured_spans
) -> None:
    # So that a purchase is one trace: payment request → callback → webhook → the grant's
    # consumers (servicekit.tracing).
    seen: list[httpx.Request] = []
    async with recording_client([200], seen) as http:
        provider = provider_for(database, http)
        with tracer().start_as_current_span("POST /orders/{order_id}/payment") as request_span:
            await pay(provider)
        provider.start()
        await wait_for(lambda: provider.delivered)
        await provider.aclose()
    [callback] = seen
    [callback_span] = [s for s in captured_spans.get_finished_spans() if s.kind == SpanKind.CLIENT]
    trace_id = request_span.get_span_context().trace_id
    assert callback_span.context.trace_id == trace_id
    assert callback_span.parent.span_id == request_span.get_span_context().span_id
    _version, sent_trace, sent_parent, _flags = callback.headers["traceparent"].split("-")
    assert sent_trace == format(trace_id, "032x")
    assert sent_parent == format(callback_span.context.span_id, "016x")


async def test_a_payment_created_outside_any_trace_calls_back_in_a_trace_of_its_own(
    database, captured_spans
) -> None:
    seen: list[httpx.Request] = []
    async with recording_client([200], seen) as http:
        provider = provider_for(database, http)
        await pay(provider)
        provider.start()
        await wait_for(lambda: provider.delivered)
        await provider.aclose()
    [callback_span] = [s for s in captured_spans.get_finished_spans() if s.kind == SpanKind.CLIENT]
    assert callback_span.parent is None
    _version, sent_trace, _parent, _flags = seen[0].headers["traceparent"].split("-")
    assert sent_trace == format(callback_span.context.trace_id, "032x")
