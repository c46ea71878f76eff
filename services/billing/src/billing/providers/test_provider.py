"""FAKE BOUNDARY: a test payment service provider, not a real one.

It stands in for a real PSP in development and tests and behaves like one from billing's point
of view: it answers ``create_payment`` at once with a pending payment, and a moment later
(``delay_seconds``) POSTs a signed callback to the webhook URL over HTTP, retrying with backoff
while the webhook does not answer 2xx. It never moves money. Set ``decline=True`` to have every
payment fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from typing import Any

import httpx

from billing.domain.orders import PaymentOutcome
from billing.domain.signatures import SIGNATURE_HEADER, signature_header
from billing.providers.base import CreatedPayment
from servicekit.logging import get_logger

__all__ = ["TestPaymentProvider"]

log = get_logger(__name__)


class TestPaymentProvider:
    """A fake PSP that calls back through ``http`` (any httpx client: real network in
    development, an in-process ASGI transport in tests)."""

    # Not a pytest test class, despite the name.
    __test__ = False

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        webhook_url: str,
        secret: bytes,
        delay_seconds: float = 0.2,
        decline: bool = False,
        max_attempts: int = 5,
        backoff_seconds: float = 0.2,
        timeout_seconds: float = 5.0,
    ) -> None:
        self.http = http
        self.webhook_url = webhook_url
        self.secret = secret
        self.delay_seconds = delay_seconds
        self.decline = decline
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.timeout_seconds = timeout_seconds
        # Like a real PSP, one payment per idempotency key.
        self._payments: dict[str, CreatedPayment] = {}
        self._callbacks: set[asyncio.Task[None]] = set()
        self.delivered: list[dict[str, Any]] = []

    async def create_payment(
        self,
        *,
        order_reference: str,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
    ) -> CreatedPayment:
        existing = self._payments.get(idempotency_key)
        if existing is not None:
            return existing
        payment = CreatedPayment(payment_id=f"pay_test_{secrets.token_hex(12)}")
        self._payments[idempotency_key] = payment
        outcome = PaymentOutcome.FAILED if self.decline else PaymentOutcome.SUCCEEDED
        event = {
            "payment_id": payment.payment_id,
            "order_reference": order_reference,
            "status": outcome.value,
            "amount_minor": amount_minor,
            "currency": currency,
        }
        task = asyncio.create_task(
            self._deliver(event), name=f"test-psp-callback-{payment.payment_id}"
        )
        self._callbacks.add(task)
        task.add_done_callback(self._callbacks.discard)
        return payment

    async def _deliver(self, event: dict[str, Any]) -> None:
        await asyncio.sleep(self.delay_seconds)
        body = json.dumps(event, separators=(",", ":")).encode()
        for attempt in range(1, self.max_attempts + 1):
            # Signed afresh per attempt, as PSPs do, so a late retry is not refused as stale.
            header = signature_header(body, secret=self.secret, timestamp=int(time.time()))
            try:
                response = await self.http.post(
                    self.webhook_url,
                    content=body,
                    headers={"content-type": "application/json", SIGNATURE_HEADER: header},
                    timeout=self.timeout_seconds,
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a PSP retries whatever went wrong on the way
                log.warning(
                    "test payment provider: callback failed",
                    payment_id=event["payment_id"],
                    attempt=attempt,
                    error=repr(exc),
                )
            else:
                if response.is_success:
                    self.delivered.append(event)
                    return
                log.warning(
                    "test payment provider: callback refused",
                    payment_id=event["payment_id"],
                    attempt=attempt,
                    status=response.status_code,
                )
            if attempt < self.max_attempts:
                await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
        log.error(
            "test payment provider: gave up delivering the callback",
            payment_id=event["payment_id"],
            attempts=self.max_attempts,
        )

    async def aclose(self) -> None:
        tasks = list(self._callbacks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
