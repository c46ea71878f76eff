"""Fixtures of the tax and invoice tests: billing's migrated database (real PostgreSQL), the
seller, customers and invoice drafts."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from billing.config import Settings
from billing.db.models import Customer
from billing.domain.invoices import InvoiceDraft, InvoiceLineDraft, Party
from billing.domain.tax import TaxTreatment, line_vat_minor
from billing.services.invoicing import seller_party
from servicekit.db import Database

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def seller() -> Party:
    return seller_party(Settings(environment="development"))


def party(name: str = "Werkstatt Muster GmbH", *, country: str = "DE", vat_id: str = "") -> Party:
    return Party(
        legal_name=name,
        street="Hauptstrasse 5",
        postcode="10115",
        city="Berlin",
        country=country,
        vat_id=vat_id,
    )


def line(
    product_code: str = "AIR_1W",
    *,
    net_minor: int = 4_900,
    quantity: int = 1,
    rate_bp: int = 1900,
    order_line_id: uuid.UUID | None = None,
    **extra: Any,
) -> InvoiceLineDraft:
    return InvoiceLineDraft(
        product_code=product_code,
        description=extra.pop("description", f"{product_code} pass"),
        quantity=quantity,
        unit_net_minor=net_minor // quantity,
        net_minor=net_minor,
        vat_rate_bp=rate_bp,
        vat_minor=line_vat_minor(net_minor, rate_bp=rate_bp),
        order_line_id=order_line_id or uuid.uuid4(),
        **extra,
    )


def draft(
    *lines: InvoiceLineDraft,
    organization_id: uuid.UUID | None = None,
    customer: Party | None = None,
    treatment: TaxTreatment = TaxTreatment.DOMESTIC,
    note: str | None = None,
) -> InvoiceDraft:
    return InvoiceDraft(
        organization_id=organization_id or uuid.uuid4(),
        order_id=uuid.uuid4(),
        customer=customer or party(),
        currency="EUR",
        treatment=treatment,
        note=note,
        lines=lines or (line(),),
    )


AddCustomer = Callable[..., Awaitable[Customer]]


@pytest.fixture
def add_customer(db: Database) -> AddCustomer:
    async def add(
        *,
        organization_id: uuid.UUID | None = None,
        country: str = "DE",
        vat_id: str = "",
        legal_name: str = "Werkstatt Muster GmbH",
        invoice_email: str = "",
    ) -> Customer:
        customer = Customer(
            organization_id=organization_id or uuid.uuid4(),
            legal_name=legal_name,
            street="Hauptstrasse 5",
            postcode="10115",
            city="Berlin",
            country=country,
            vat_id=vat_id,
            invoice_email=invoice_email,
            source_updated_at=NOW,
        )
        async with db.transaction() as session:
            session.add(customer)
        return customer

    return add
