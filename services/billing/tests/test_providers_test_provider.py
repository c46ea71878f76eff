"""The fake payment provider behaves like a PSP: signed callbacks, retries, idempotency."""

import asyncio
import json
import time

import httpx

from billing.domain.signatures import verify_signature
from billing.providers import TestPaymentProvider

SECRET = b"provider-test-secret"
URL = "http://billing.test/payments/webhook"


def recording_client(statuses: list[int], seen: list[httpx.Request]) -> httpx.AsyncClient:
    """An HTTP client that answers each callback with the next status of ``statuses``."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(statuses[min(len(seen), len(statuses)) - 1])

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)


async def test_callback_is_signed_so_that_billing_can_verify_it() -> None:
    seen: list[httpx.Request] = []
    async with recording_client([200], seen) as http:
        provider = TestPaymentProvider(http, webhook_url=URL, secret=SECRET, delay_seconds=0)
        payment = await provider.create_payment(
            order_reference="order-1", amount_minor=833, currency="EUR", idempotency_key="k"
        )
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


async def test_callback_is_retried_until_the_webhook_answers_2xx() -> None:
    seen: list[httpx.Request] = []
    async with recording_client([503, 409, 200], seen) as http:
        provider = TestPaymentProvider(
            http, webhook_url=URL, secret=SECRET, delay_seconds=0, backoff_seconds=0.01
        )
        await provider.create_payment(
            order_reference="o", amount_minor=1, currency="EUR", idempotency_key="k"
        )
        await wait_for(lambda: provider.delivered)
        await provider.aclose()
    assert len(seen) == 3


async def test_provider_gives_up_after_its_attempts() -> None:
    seen: list[httpx.Request] = []
    async with recording_client([500], seen) as http:
        provider = TestPaymentProvider(
            http,
            webhook_url=URL,
            secret=SECRET,
            delay_seconds=0,
            backoff_seconds=0.001,
            max_attempts=3,
        )
        await provider.create_payment(
            order_reference="o", amount_minor=1, currency="EUR", idempotency_key="k"
        )
        await wait_for(lambda: len(seen) == 3)
        await asyncio.sleep(0.05)
        await provider.aclose()
    assert len(seen) == 3
    assert provider.delivered == []


async def test_same_idempotency_key_returns_the_same_payment_and_calls_back_once() -> None:
    seen: list[httpx.Request] = []
    async with recording_client([200], seen) as http:
        provider = TestPaymentProvider(http, webhook_url=URL, secret=SECRET, delay_seconds=0)
        first = await provider.create_payment(
            order_reference="o", amount_minor=1, currency="EUR", idempotency_key="k"
        )
        second = await provider.create_payment(
            order_reference="o", amount_minor=1, currency="EUR", idempotency_key="k"
        )
        await wait_for(lambda: provider.delivered)
        await asyncio.sleep(0.05)
        await provider.aclose()
    assert first == second
    assert len(seen) == 1


async def test_declining_provider_reports_failed_payments() -> None:
    seen: list[httpx.Request] = []
    async with recording_client([200], seen) as http:
        provider = TestPaymentProvider(
            http, webhook_url=URL, secret=SECRET, delay_seconds=0, decline=True
        )
        await provider.create_payment(
            order_reference="o", amount_minor=1, currency="EUR", idempotency_key="k"
        )
        await wait_for(lambda: provider.delivered)
        await provider.aclose()
    assert json.loads(seen[0].content)["status"] == "failed"


async def test_closing_the_provider_cancels_pending_callbacks() -> None:
    seen: list[httpx.Request] = []
    async with recording_client([200], seen) as http:
        provider = TestPaymentProvider(http, webhook_url=URL, secret=SECRET, delay_seconds=30)
        await provider.create_payment(
            order_reference="o", amount_minor=1, currency="EUR", idempotency_key="k"
        )
        await provider.aclose()
    assert seen == []
