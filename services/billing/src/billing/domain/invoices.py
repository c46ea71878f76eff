"""What an invoice is made from: the shape both checkout (which knows the order) and invoicing
(which numbers, stores, renders and mails it) agree on. Plain data, no I/O."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from billing.domain.tax import TaxTreatment

__all__ = ["InvoiceDraft", "InvoiceLineDraft", "Party"]


@dataclass(frozen=True)
class Party:
    """A seller or customer as printed on an invoice, at the time of the sale."""

    legal_name: str
    street: str
    postcode: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    vat_id: str  # '' when there is none


@dataclass(frozen=True)
class InvoiceLineDraft:
    """One invoice line; amounts in minor units, VAT already computed per line."""

    product_code: str
    description: str
    quantity: int
    unit_net_minor: int
    net_minor: int
    vat_rate_bp: int
    vat_minor: int
    order_line_id: uuid.UUID | None = None
    vin: str | None = None
    # For a pass: the window it gives (the date of supply of a service).
    period_from: datetime | None = None
    period_until: datetime | None = None


@dataclass(frozen=True)
class InvoiceDraft:
    """An invoice to issue for a paid order."""

    organization_id: uuid.UUID
    order_id: uuid.UUID
    customer: Party
    currency: str
    treatment: TaxTreatment
    # The legal note the treatment requires (reverse charge, exemption), None when VAT is charged.
    note: str | None
    lines: tuple[InvoiceLineDraft, ...]
