"""FAKE BOUNDARY: a test payment service provider, not a real one.

It stands in for a real PSP in development and tests and behaves like one from billing's point
of view: it answers ``create_payment`` at once with a pending payment, settles it a moment later
(``delay_seconds``) and then POSTs a signed callback to the webhook URL over HTTP, retrying
with capped backoff, without limit, until the webhook answers 2xx. ``get_payment`` reports a
payment's state, as a PSP's API does. It never moves money. Set ``decline=True`` to have every
payment fail.

A real PSP keeps its payments on its own servers. This fake keeps them in billing's database,
each committed before ``create_payment`` returns, so that a restart of billing (even a kill
right after it answered 202) neither forgets a payment nor drops its callback: the delivery
loop started by :meth:`TestPaymentProvider.start` sends every callback still undelivered.

A PSP is one system however many replicas billing runs, and it calls back once: the delivery loop
runs in one billing process at a time, the holder of a leader lock (servicekit.leader). A payment
created in another replica is delivered at the leader's next look (``poll_seconds``) rather than
at once.

Like a PSP that echoes a merchant's metadata in its callbacks, it sends back the trace context
of the request that created the payment (``traceparent``), so that a purchase is one trace from
the payment request through the webhook to the consumers of the grant. A real PSP's callback
would start a trace of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx
from opentelemetry.trace import SpanKind

from billing.db.models import TestProviderPayment
from billing.db.test_provider import TestProviderPaymentRepository
from billing.domain.orders import PaymentOutcome
from billing.domain.signatures import SIGNATURE_HEADER, signature_header
from billing.providers.base import CreatedPayment, ProviderPayment
from servicekit.db import Database
from servicekit.leader import LeaderLock, leader_lock_key, run_while_leader
from servicekit.logging import get_logger
from servicekit.tasks import cancel_and_wait
from servicekit.tracing import context_from, current_carrier, outgoing_headers, tracer

__all__ = ["TestPaymentProvider"]

log = get_logger(__name__)

# Callbacks sent per pass of the delivery loop before it looks again.
DELIVERY_BATCH = 50
# 2**n grows past any sensible backoff long before this; keeps the float finite.
MAX_BACKOFF_EXPONENT = 30
# The leader job that delivers the callbacks (one billing process at a time).
CALLBACKS_JOB = "billing.test-psp-callbacks"


class TestPaymentProvider:
    """A fake PSP that keeps its payments in ``database`` and calls back through ``http`` (any
    httpx client: real network in development, an in-process ASGI transport in tests)."""

    # Not a pytest test class, despite the name.
    __test__ = False

    def __init__(
        self,
        database: Database,
        http: httpx.AsyncClient,
        *,
        webhook_url: str,
        secret: bytes,
        delay_seconds: float = 0.2,
        decline: bool = False,
        backoff_seconds: float = 0.2,
        max_backoff_seconds: float = 30.0,
        poll_seconds: float = 5.0,
        timeout_seconds: float = 5.0,
        leader_retry_seconds: float = 2.0,
    ) -> None:
        self.database = database
        self.http = http
        self.webhook_url = webhook_url
        self.secret = secret
        self.delay_seconds = delay_seconds
        self.decline = decline
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        # The loop wakes at the next due callback, at a new payment, and at least this often.
        self.poll_seconds = poll_seconds
        self.timeout_seconds = timeout_seconds
        # How often a process that does not deliver asks whether the one that does is gone.
        self.leader_retry_seconds = leader_retry_seconds
        self._wake = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._store_failing = False
        self._leading = False
        # Callbacks this process delivered, for tests to look at.
        self.delivered: list[dict[str, Any]] = []

    def start(self) -> None:
        """Deliver callbacks, including those a previous process left undelivered, whenever
        this process holds the delivery lock (so that each callback is sent by one process)."""
        if self._runner is None:
            lock = LeaderLock(
                self.database.dsn,
                key=leader_lock_key(CALLBACKS_JOB),
                application_name="aos-billing-test-psp",
            )
            self._runner = asyncio.create_task(
                run_while_leader(
                    lock, self.run, name=CALLBACKS_JOB, retry_seconds=self.leader_retry_seconds
                ),
                name="test-psp-callbacks",
            )

    @property
    def delivering(self) -> bool:
        """True while this process is the one delivering the callbacks."""
        return self._leading

    async def create_payment(
        self,
        *,
        order_reference: str,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
    ) -> CreatedPayment:
        settles_at = datetime.now(UTC) + timedelta(seconds=self.delay_seconds)
        outcome = PaymentOutcome.FAILED if self.decline else PaymentOutcome.SUCCEEDED
        candidate = TestProviderPayment(
            payment_id=f"pay_test_{secrets.token_hex(12)}",
            idempotency_key=idempotency_key,
            order_reference=order_reference,
            amount_minor=amount_minor,
            currency=currency,
            outcome=outcome.value,
            settles_at=settles_at,
            next_attempt_at=settles_at,
            trace_context=current_carrier(),
        )
        # Its own transaction, committed before we answer: like a PSP's, the payment exists
        # whatever becomes of billing's transaction.
        async with self.database.transaction() as session:
            stored = await TestProviderPaymentRepository(session).add_once(candidate)
        self._wake.set()
        return CreatedPayment(payment_id=stored.payment_id)

    async def get_payment(self, payment_id: str) -> ProviderPayment | None:
        async with self.database.transaction() as session:
            stored = await TestProviderPaymentRepository(session).get(payment_id)
        if stored is None:
            return None
        status: Literal["pending", "succeeded", "failed"] = "pending"
        if datetime.now(UTC) >= stored.settles_at:
            status = "failed" if stored.outcome == PaymentOutcome.FAILED else "succeeded"
        return ProviderPayment(
            payment_id=stored.payment_id,
            order_reference=stored.order_reference,
            status=status,
            amount_minor=stored.amount_minor,
            currency=stored.currency,
        )

    async def run(self) -> None:
        """Deliver due callbacks for ever. When billing's database is away, try again every
        ``backoff_seconds`` (capped): a callback is retried, never dropped."""
        self._leading = True
        try:
            await self._deliver_forever()
        finally:
            self._leading = False

    async def _deliver_forever(self) -> None:
        failures = 0
        while True:
            self._wake.clear()
            try:
                wait = await self._deliver_due()
            except Exception as exc:  # database away (or any other failure): retry later
                failures += 1
                wait = self._backoff(failures - 1)
                if not self._store_failing:
                    log.warning(
                        "test payment provider: cannot deliver callbacks; retrying",
                        error=repr(exc),
                    )
                self._store_failing = True
            else:
                if self._store_failing:
                    log.info("test payment provider: delivering callbacks again")
                self._store_failing = False
                failures = 0
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wake.wait()

    async def _deliver_due(self) -> float:
        """Send the callbacks due now; returns the seconds until the next one is due."""
        async with self.database.transaction() as session:
            due = await TestProviderPaymentRepository(session).list_due(
                datetime.now(UTC), limit=DELIVERY_BATCH
            )
        for payment in due:
            await self._deliver(payment)
        if len(due) == DELIVERY_BATCH:
            return 0.0
        async with self.database.transaction() as session:
            next_at = await TestProviderPaymentRepository(session).next_attempt_at()
        if next_at is None:
            return self.poll_seconds
        seconds = (next_at - datetime.now(UTC)).total_seconds()
        return min(max(seconds, 0.0), self.poll_seconds)

    async def _deliver(self, payment: TestProviderPayment) -> None:
        event = {
            "payment_id": payment.payment_id,
            "order_reference": payment.order_reference,
            "status": payment.outcome,
            "amount_minor": payment.amount_minor,
            "currency": payment.currency,
        }
        body = json.dumps(event, separators=(",", ":")).encode()
        # Signed afresh per attempt, as PSPs do, so a late retry is not refused as stale.
        header = signature_header(body, secret=self.secret, timestamp=int(time.time()))
        # The callback continues the trace of the request that created the payment.
        with tracer().start_as_current_span(
            "payment callback",
            context=context_from(payment.trace_context),
            kind=SpanKind.CLIENT,
            attributes={"http.request.method": "POST", "aos.payment_id": payment.payment_id},
        ):
            try:
                response = await self.http.post(
                    self.webhook_url,
                    content=body,
                    headers={
                        "content-type": "application/json",
                        SIGNATURE_HEADER: header,
                        **dict(outgoing_headers()),
                    },
                    timeout=self.timeout_seconds,
                )
            except Exception as exc:  # a PSP retries whatever went wrong on the way
                accepted, reason = False, repr(exc)
            else:
                accepted, reason = response.is_success, f"HTTP {response.status_code}"
        if accepted:
            self.delivered.append(event)
        now = datetime.now(UTC)
        async with self.database.transaction() as session:
            payments = TestProviderPaymentRepository(session)
            if accepted:
                await payments.mark_delivered(payment.payment_id, at=now)
            else:
                retry_at = now + timedelta(seconds=self._backoff(payment.attempts))
                await payments.record_failed_attempt(payment.payment_id, retry_at=retry_at)
        if not accepted:
            log.warning(
                "test payment provider: callback not accepted; will retry",
                payment_id=payment.payment_id,
                attempt=payment.attempts + 1,
                reason=reason,
            )

    def _backoff(self, attempts: int) -> float:
        exponent = min(attempts, MAX_BACKOFF_EXPONENT)
        return float(min(self.backoff_seconds * 2**exponent, self.max_backoff_seconds))

    async def aclose(self) -> None:
        if self._runner is not None:
            await cancel_and_wait(self._runner)
            self._runner = None
