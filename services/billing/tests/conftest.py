"""Billing test fixtures: a fresh migrated PostgreSQL database per test and the app running
in-process, its test payment provider calling back through the same app over ASGI."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from billing.config import Settings
from billing.domain.signatures import SIGNATURE_HEADER, signature_header
from billing.main import MIGRATIONS_DIR, create_app
from servicekit.testing import TestTokenIssuer, running_app


@dataclass(frozen=True)
class Org:
    """A caller: a user of an organisation with a valid access token."""

    id: uuid.UUID
    user_id: uuid.UUID
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    def purchase_headers(self, key: str | None = None) -> dict[str, str]:
        return {**self.headers, "idempotency-key": key or uuid.uuid4().hex}


class Billing:
    """The running app and helpers that drive it like a client would."""

    def __init__(
        self, client: httpx.AsyncClient, app: FastAPI, settings: Settings, issuer: TestTokenIssuer
    ) -> None:
        self.client = client
        self.app = app
        self.settings = settings
        self.issuer = issuer

    @property
    def provider(self) -> Any:
        return self.app.state.payment_provider

    def org(self, *, roles: tuple[str, ...] = ("owner",)) -> Org:
        org_id, user_id = uuid.uuid4(), uuid.uuid4()
        token = self.issuer.token(user_id=user_id, organization_id=org_id, roles=roles)
        return Org(org_id, user_id, token)

    def member(self, org: Org, *, roles: tuple[str, ...]) -> Org:
        """Another member of ``org`` with ``roles``."""
        user_id = uuid.uuid4()
        token = self.issuer.token(user_id=user_id, organization_id=org.id, roles=roles)
        return Org(org.id, user_id, token)

    def cart(self, *lines: tuple[str, int] | tuple[str, int, str], **extra: Any) -> dict[str, Any]:
        """A checkout body: (product code, quantity[, vin]) per line, terms accepted."""
        body: dict[str, Any] = {
            "lines": [
                {"product_code": line[0], "quantity": line[1]}
                | ({"vin": line[2]} if len(line) > 2 else {})
                for line in lines
            ],
            "accept_terms": True,
            "terms_version": self.settings.terms_version,
        }
        body.update(extra)
        return body

    async def checkout(self, org: Org, body: dict[str, Any], key: str | None = None) -> Any:
        return await self.client.post("/checkout", json=body, headers=org.purchase_headers(key))

    async def customer(
        self,
        org: Org,
        *,
        country: str = "DE",
        vat_id: str = "",
        legal_name: str = "Muster Kfz GmbH",
        street: str = "Hauptstrasse 5",
        postcode: str = "10115",
        city: str = "Berlin",
    ) -> None:
        """Billing's copy of the organisation's company data, as identity's events would
        leave it (the projection consumer is not under test here); replaces an earlier one."""
        await self.sql(
            "INSERT INTO customers (organization_id, legal_name, street, postcode, city, "
            "country, vat_id, source_updated_at) VALUES (:org, :name, :street, :postcode, "
            ":city, :country, :vat_id, now()) ON CONFLICT (organization_id) DO UPDATE SET "
            "legal_name = :name, street = :street, postcode = :postcode, city = :city, "
            "country = :country, vat_id = :vat_id",
            org=org.id,
            name=legal_name,
            street=street,
            postcode=postcode,
            city=city,
            country=country,
            vat_id=vat_id,
        )

    async def buyer(self, **company: Any) -> Org:
        """A new organisation whose company data billing knows (German by default)."""
        org = self.org()
        await self.customer(org, **company)
        return org

    async def order(
        self, org: Org, product_code: str = "AIR_1H", *, vin: str | None = None
    ) -> dict[str, Any]:
        if not await self.sql("SELECT 1 FROM customers WHERE organization_id = :o", o=org.id):
            await self.customer(org)
        body: dict[str, Any] = {"product_code": product_code}
        if vin is not None:
            body["vin"] = vin
        response = await self.client.post("/orders", json=body, headers=org.purchase_headers())
        assert response.status_code == 201, response.text
        return response.json()

    async def pay(self, org: Org, order_id: str) -> dict[str, Any]:
        response = await self.client.post(
            f"/orders/{order_id}/payment", headers=org.purchase_headers()
        )
        assert response.status_code == 202, response.text
        return response.json()

    async def get_order(self, org: Org, order_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/orders/{order_id}", headers=org.headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def wait_for_status(
        self, org: Org, order_id: str, status: str, *, timeout: float = 10.0
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            order = await self.get_order(org, order_id)
            if order["status"] == status:
                return order
            if time.monotonic() > deadline:
                raise AssertionError(f"order {order_id} is {order['status']}, not {status}")
            await asyncio.sleep(0.02)

    async def delivered_callbacks(self, count: int = 1, *, timeout: float = 10.0) -> list[Any]:
        """The callbacks the test provider delivered, once there are ``count``: the order may
        show paid a moment before the provider has the webhook's answer in hand."""
        deadline = time.monotonic() + timeout
        while len(self.provider.delivered) < count:
            assert time.monotonic() < deadline, f"fewer than {count} callbacks delivered"
            await asyncio.sleep(0.02)
        return list(self.provider.delivered)

    async def buy(
        self, org: Org, product_code: str = "AIR_1H", *, vin: str | None = None
    ) -> dict[str, Any]:
        """Order and pay through the test provider; returns the paid order."""
        order = await self.order(org, product_code, vin=vin)
        await self.pay(org, order["id"])
        return await self.wait_for_status(org, order["id"], "paid")

    def sign(self, body: bytes, *, timestamp: int | None = None, secret: str | None = None) -> str:
        key = secret or self.settings.payment_webhook_secret.get_secret_value()
        when = int(time.time()) if timestamp is None else timestamp
        return signature_header(body, secret=key.encode(), timestamp=when)

    async def post_callback(
        self,
        payload: dict[str, Any] | bytes,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        signature: str | None = None,
    ) -> httpx.Response:
        """POST a hand-signed callback, as the payment provider would."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        header = signature or self.sign(body, timestamp=timestamp, secret=secret)
        return await self.client.post(
            "/payments/webhook",
            content=body,
            headers={"content-type": "application/json", SIGNATURE_HEADER: header},
        )

    async def sql(self, statement: str, **params: Any) -> list[Any]:
        """Run SQL in the app's database; returns the rows, or [] for statements without."""
        async with self.app.state.database.transaction() as session:
            result = await session.execute(text(statement), params)
            return list(result.all()) if result.returns_rows else []


def in_process_payment_http(app: FastAPI) -> httpx.AsyncClient:
    """The payment provider's HTTP client: requests go into the same app over ASGI."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://billing")


@pytest.fixture
async def database_url(database_factory: Any) -> str:
    return str(await database_factory.create(MIGRATIONS_DIR))


@pytest.fixture
def make_settings(
    database_url: str, kafka_bootstrap_servers: str, topic_namespace: str
) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": database_url,
            "kafka_bootstrap_servers": kafka_bootstrap_servers,
            "topic_namespace": topic_namespace,
            "payment_webhook_secret": secrets.token_urlsafe(32),
            "migrate_on_start": False,
            "seed_on_start": True,
            "run_background_workers": False,
            "test_provider_delay_seconds": 0.05,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def start_billing(
    make_settings: Callable[..., Settings], token_issuer: TestTokenIssuer
) -> Callable[..., AbstractAsyncContextManager[Billing]]:
    """``async with start_billing(**settings_overrides) as billing: ...``"""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Billing]:
        settings = make_settings(**overrides)
        jwks_http = token_issuer.http_client()
        app = create_app(settings, jwks_http=jwks_http, payment_http=in_process_payment_http)
        try:
            async with running_app(app) as client:
                yield Billing(client, app, settings, token_issuer)
        finally:
            await jwks_http.aclose()

    return start


@pytest.fixture
async def billing(
    start_billing: Callable[..., AbstractAsyncContextManager[Billing]],
) -> AsyncIterator[Billing]:
    async with start_billing() as running:
        yield running


@pytest.fixture
async def slow_billing(
    start_billing: Callable[..., AbstractAsyncContextManager[Billing]],
) -> AsyncIterator[Billing]:
    """Billing whose test provider waits a minute before calling back, so a test can post
    callbacks by hand while the order is pending."""
    async with start_billing(test_provider_delay_seconds=60) as running:
        yield running
