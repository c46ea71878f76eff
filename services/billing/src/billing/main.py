"""The billing app: ``uvicorn billing.main:create_app --factory``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI

from billing import __version__
from billing.api import ROUTERS
from billing.config import Settings
from billing.consumers.customers import CUSTOMERS_CONSUMER
from billing.consumers.members import MEMBERS_CONSUMER
from billing.consumers.usage import USAGE_CONSUMER
from billing.providers.base import PaymentProvider
from billing.providers.test_provider import TestPaymentProvider
from billing.providers.vies import ViesClient
from billing.services.catalog import seed_catalog
from billing.services.expiry import deliver_expiry_warnings, queue_expiry_warnings
from billing.services.expiry_mail import SmtpServer
from billing.services.idempotency import sweep_expired_keys
from billing.services.invoice_mail import invoice_mail_sender
from billing.services.invoicing import seller_party
from billing.services.reconciliation import reconcile_pending_payments
from billing.services.reservations import expire_unpaid_orders
from servicekit.app import ServiceSpec, create_service_app
from servicekit.db import Database
from servicekit.leader import LeaderLock, leader_lock_key, run_while_leader
from servicekit.logging import get_logger
from servicekit.tasks import cancel_and_wait

__all__ = ["CONSUMERS", "MIGRATIONS_DIR", "PaymentHttpFactory", "create_app"]

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
# The event consumers the service runs (and ``replay-dlq`` knows); servicekit adds the token
# deny list's.
CONSUMERS = (CUSTOMERS_CONSUMER, USAGE_CONSUMER, MEMBERS_CONSUMER)

# Builds the HTTP client the payment provider calls back through, given the app. Tests pass one
# over httpx.ASGITransport(app) so callbacks reach the webhook in-process; the app closes it.
PaymentHttpFactory = Callable[[FastAPI], httpx.AsyncClient]

PAYMENT_HTTP_TIMEOUT_SECONDS = 5.0
# The leader job that asks the payment provider about overdue payments (one process at a time).
RECONCILIATION_JOB = "billing.payment-reconciliation"

log = get_logger(__name__)


async def reconcile_payments_forever(
    database: Database, provider: PaymentProvider, settings: Settings
) -> None:
    """Every ``payment_reconcile_interval_seconds``, settle the payments pending longer than
    ``payment_reconcile_after_seconds``; a failed run (database or provider away) is logged and
    tried again next time."""
    older_than = timedelta(seconds=settings.payment_reconcile_after_seconds)
    while True:
        try:
            result = await reconcile_pending_payments(
                database,
                provider,
                older_than=older_than,
                now=datetime.now(UTC),
                seller=seller_party(settings),
            )
            if result.checked:
                log.info(
                    "overdue payments reconciled",
                    checked=result.checked,
                    paid=result.paid,
                    failed=result.failed,
                    still_pending=result.still_pending,
                )
        except Exception:
            log.exception("reconciling overdue payments failed; retrying later")
        await asyncio.sleep(settings.payment_reconcile_interval_seconds)


async def sweep_idempotency_keys_forever(database: Database, settings: Settings) -> None:
    """Delete expired Idempotency-Keys now and then every ``idempotency_sweep_seconds``; a
    failed sweep (the database away) is logged and tried again next time."""
    retention = timedelta(hours=settings.idempotency_retention_hours)
    while True:
        try:
            deleted = await sweep_expired_keys(database, retention=retention)
            if deleted:
                log.info("expired idempotency keys deleted", count=deleted)
        except Exception:
            log.exception("sweeping expired idempotency keys failed; retrying later")
        await asyncio.sleep(settings.idempotency_sweep_seconds)


async def warn_of_expiry_forever(database: Database, settings: Settings) -> None:
    """Every ``expiry_check_interval_seconds``, queue the expiry warnings now due and send the
    queued ones; a failed run (the database away) is logged and tried again next time."""
    smtp = SmtpServer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        mail_from=settings.mail_from,
        timeout_seconds=settings.smtp_timeout_seconds,
    )
    while True:
        try:
            now = datetime.now(UTC)
            async with database.transaction() as session:
                queued = await queue_expiry_warnings(session, now=now)
            result = await deliver_expiry_warnings(database, smtp=smtp, now=now)
            if queued or result.sent or result.failed or result.obsolete:
                log.info(
                    "expiry warnings",
                    queued=queued,
                    sent=result.sent,
                    failed=result.failed,
                    obsolete=result.obsolete,
                )
        except Exception:
            log.exception("expiry warnings failed; retrying later")
        await asyncio.sleep(settings.expiry_check_interval_seconds)


async def expire_reservations_forever(database: Database, settings: Settings) -> None:
    """Every ``stock_sweep_seconds``, expire the orders left unpaid past their stock
    reservation and put their tools back; a failed run is logged and tried again next time."""
    while True:
        try:
            expired = await expire_unpaid_orders(database, now=datetime.now(UTC))
            if expired:
                log.info("unpaid orders expired, stock released", count=expired)
        except Exception:
            log.exception("expiring unpaid orders failed; retrying later")
        await asyncio.sleep(settings.stock_sweep_seconds)


def create_app(
    settings: Settings | None = None,
    *,
    jwks_http: httpx.AsyncClient | None = None,
    payment_http: PaymentHttpFactory | None = None,
) -> FastAPI:
    """Build the billing app. ``jwks_http`` serves token keys in tests; ``payment_http``
    replaces the payment provider's HTTP client."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.should_seed_on_start:
            database: Database = app.state.database
            async with database.transaction() as session:
                added = await seed_catalog(session)
            log.info("catalog seeded", products_added=added)
        if settings.environment == "production":
            log.warning(
                "the TEST payment provider is in use: passes are granted without collecting "
                "money; integrate a real payment provider before selling"
            )
        http = (
            payment_http(app)
            if payment_http is not None
            else httpx.AsyncClient(timeout=PAYMENT_HTTP_TIMEOUT_SECONDS)
        )
        provider = TestPaymentProvider(
            app.state.database,
            http,
            webhook_url=settings.payment_webhook_url,
            secret=settings.payment_webhook_secret.get_secret_value().encode(),
            delay_seconds=settings.test_provider_delay_seconds,
            decline=settings.test_provider_decline,
            timeout_seconds=PAYMENT_HTTP_TIMEOUT_SECONDS,
            leader_retry_seconds=settings.leader_retry_seconds,
        )
        app.state.payment_provider = provider
        # The VAT id registry handed to services.tax.customer_tax; None: checksum only.
        vies_http = httpx.AsyncClient() if settings.vies_url else None
        app.state.vat_id_registry = (
            ViesClient(
                vies_http,
                base_url=settings.vies_url,
                timeout_seconds=settings.vies_timeout_seconds,
            )
            if vies_http is not None
            else None
        )
        # The fake PSP's own callback delivery: outside billing, so it runs whatever billing's
        # background-worker setting says.
        provider.start()
        mail_sender = invoice_mail_sender(
            app.state.database,
            smtp_host=settings.smtp_host,
            smtp_port=settings.smtp_port,
            mail_from=settings.mail_from,
            timeout=settings.smtp_timeout_seconds,
            poll_interval=settings.mail_poll_seconds,
        )
        # Whoever issues an invoice may wake it after commit; it polls anyway.
        app.state.invoice_mail_sender = mail_sender
        workers: list[asyncio.Task[None]] = []
        mail_task: asyncio.Task[None] | None = None
        if settings.run_background_workers and settings.run_mail_sender:
            mail_task = asyncio.create_task(mail_sender.run(), name="invoice-mail-sender")
        if settings.run_background_workers and settings.idempotency_sweep_seconds > 0:
            workers.append(
                asyncio.create_task(sweep_idempotency_keys_forever(app.state.database, settings))
            )
        if settings.run_background_workers and settings.stock_sweep_seconds > 0:
            workers.append(
                asyncio.create_task(expire_reservations_forever(app.state.database, settings))
            )
        if settings.run_background_workers and settings.payment_reconcile_interval_seconds > 0:
            # In one process of all replicas: each run asks the provider about every overdue
            # payment, and the provider's API is paid for and rate-limited per merchant.
            lock = LeaderLock(
                app.state.database.dsn,
                key=leader_lock_key(RECONCILIATION_JOB),
                application_name="aos-billing-reconciliation",
            )
            workers.append(
                asyncio.create_task(
                    run_while_leader(
                        lock,
                        lambda: reconcile_payments_forever(app.state.database, provider, settings),
                        name=RECONCILIATION_JOB,
                        retry_seconds=settings.leader_retry_seconds,
                    )
                )
            )
        if settings.run_background_workers and settings.expiry_check_interval_seconds > 0:
            workers.append(
                asyncio.create_task(warn_of_expiry_forever(app.state.database, settings))
            )
        try:
            yield
        finally:
            if mail_task is not None:
                mail_sender.stop()
                # A delivery in progress may finish (bounded by the SMTP timeout); after that
                # the task is cancelled, and the mail is retried at the next start.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(settings.smtp_timeout_seconds + 1):
                        await asyncio.shield(mail_task)
                await cancel_and_wait(mail_task)
            await cancel_and_wait(*workers)
            await provider.aclose()
            await http.aclose()
            if vies_http is not None:
                await vies_http.aclose()

    spec = ServiceSpec(
        title="AOS billing",
        version=__version__,
        routers=ROUTERS,
        migrations_dir=MIGRATIONS_DIR,
        consumers=CONSUMERS,
        lifespan=lifespan,
        description=(
            "Passes for repair information (AIR) and remote programming, and the tool shop: "
            "catalog, checkout, orders, payments, refunds and the entitlements passes grant. "
            "Money is in minor units (cents), VAT rates in basis points (19 % = 1900)."
        ),
        openapi_tags=[
            {"name": "catalog", "description": "Passes on sale (public)"},
            {"name": "checkout", "description": "Quote a cart, accept the terms, order and pay"},
            {"name": "orders", "description": "Orders of the caller's organisation"},
            {"name": "payments", "description": "Paying orders; the provider's webhook"},
            {"name": "entitlements", "description": "What the organisation may use, until when"},
            {"name": "invoices", "description": "Invoices and credit notes, and their PDFs"},
            {"name": "usage", "description": "What members used, and how much of each pass"},
            {"name": "notifications", "description": "Expiry warnings by e-mail"},
        ],
    )
    return create_service_app(settings, spec, jwks_http=jwks_http)
