"""Billing settings, read from ``BILLING_*`` environment variables (and the shared ``AOS_*``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings

__all__ = ["Settings"]


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BILLING_", extra="ignore", frozen=True)

    service_name: str = "billing"
    database_url: str = "postgresql+asyncpg://127.0.0.1:5432/aos_billing"
    port: int = Field(default=8102, ge=1, le=65535)

    # Where the payment provider sends its signed callbacks (this service's webhook).
    payment_webhook_url: str = "http://127.0.0.1:8102/payments/webhook"
    # Shared with the payment provider to sign callbacks. "dev" is a placeholder: accepted in
    # development only, refused elsewhere (see secret_fields).
    payment_webhook_secret: SecretStr = SecretStr("dev")
    # Callbacks signed longer ago (or further ahead) than this are refused, in seconds.
    payment_webhook_tolerance_seconds: int = Field(default=300, ge=1, le=3600)

    # The test payment provider (a fake PSP): seconds before it sends its callback, and a switch
    # that makes it decline every payment.
    test_provider_delay_seconds: float = Field(default=0.2, ge=0, le=60)
    test_provider_decline: bool = False

    # A payment still pending this long after it started is asked from the provider and then
    # settled or failed (its callback may have been lost); the check runs every
    # payment_reconcile_interval_seconds (0: never).
    payment_reconcile_after_seconds: float = Field(default=300, ge=1, le=7 * 86_400)
    payment_reconcile_interval_seconds: float = Field(default=60, ge=0, le=86_400)

    # An Idempotency-Key and its stored answer are kept this long; a retry after that is a new
    # request. The sweep runs every idempotency_sweep_seconds (0: never, e.g. in tests).
    idempotency_retention_hours: int = Field(default=24, ge=1, le=24 * 30)
    idempotency_sweep_seconds: float = Field(default=3600, ge=0, le=86_400)

    # The terms of sale a buyer accepts at checkout; a checkout naming another version is
    # refused (the buyer saw outdated terms).
    terms_version: str = Field(default="2026-12", min_length=1, max_length=32)
    terms_url: str = "https://aos.example/terms/2026-12"

    # Tools stay reserved for an unpaid order this long; then the order expires and its stock
    # returns. The sweep runs every stock_sweep_seconds (0: never).
    stock_reservation_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    stock_sweep_seconds: float = Field(default=60, ge=0, le=86_400)

    # A pass nobody used may be cancelled this long after payment ("used": the usage read model
    # holds something done with it).
    refund_period_hours: int = Field(default=24, ge=0, le=24 * 365)

    # The seller printed on every invoice; its country decides the domestic VAT rate.
    seller_legal_name: str = "AOS Aftersales Online GmbH"
    seller_street: str = "Musterstrasse 1"
    seller_postcode: str = "80331"
    seller_city: str = "Muenchen"
    seller_country: str = Field(default="DE", pattern=r"^[A-Z]{2}$")
    seller_vat_id: str = "DE136695976"

    # The EU's VIES REST API that confirms VAT ids (e.g.
    # https://ec.europa.eu/taxation_customs/vies/rest-api); empty: not configured, the checksum
    # alone decides. A VIES call is bounded by vies_timeout_seconds.
    vies_url: str = ""
    vies_timeout_seconds: float = Field(default=5.0, gt=0, le=60)

    # Invoice mail: the PDF goes to the organisation's invoice address through this SMTP
    # server (the development sink of `make run` listens on 8125), after the issuing
    # transaction commits; the queue is polled every mail_poll_seconds. The sender runs when
    # run_mail_sender and the background workers are on.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8125, ge=1, le=65535)
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    mail_from: str = "AOS Billing <billing@aos.example>"
    mail_poll_seconds: float = Field(default=3.0, gt=0, le=3600)
    run_mail_sender: bool = True

    # How often the expiry job looks for passes about to end whose organisation asked to be
    # mailed (PUT /notifications/expiry), and sends the warnings (0: never).
    expiry_check_interval_seconds: float = Field(default=300, ge=0, le=86_400)

    # The jobs that run in one process of all replicas (payment reconciliation, the test
    # provider's callbacks; see the README): how often another process asks whether the one
    # running them is gone, which bounds how long a job waits after its process stops.
    leader_retry_seconds: float = Field(default=2.0, gt=0, le=300)

    def secret_fields(self) -> tuple[str, ...]:
        return (*super().secret_fields(), "payment_webhook_secret")
