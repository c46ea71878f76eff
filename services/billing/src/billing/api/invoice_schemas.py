"""Bodies of the invoice endpoints. Amounts are minor units (cents), positive also on a credit
note (its kind says they are taken back); rates are basis points (19 % = 1900)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from billing.db.models import Invoice, InvoiceLine

__all__ = [
    "InvoiceKindName",
    "InvoiceLineRead",
    "InvoiceList",
    "InvoiceRead",
    "InvoiceSummary",
    "PartyRead",
    "RateTotalRead",
    "TotalsRead",
]

InvoiceKindName = Literal["invoice", "credit_note"]


class InvoiceSummary(BaseModel):
    id: uuid.UUID
    number: str = Field(examples=["AOS-2026-000123"])
    kind: InvoiceKindName
    order_id: uuid.UUID
    credited_invoice_id: uuid.UUID | None = Field(
        description="For a credit note: the invoice it corrects"
    )
    issued_at: datetime
    net_minor: int
    vat_minor: int
    gross_minor: int
    currency: str

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceSummary:
        return cls(
            id=invoice.id,
            number=invoice.number,
            kind=invoice.kind,
            order_id=invoice.order_id,
            credited_invoice_id=invoice.credited_invoice_id,
            issued_at=invoice.issued_at,
            net_minor=invoice.net_minor,
            vat_minor=invoice.vat_minor,
            gross_minor=invoice.gross_minor,
            currency=invoice.currency,
        )


class InvoiceList(BaseModel):
    items: list[InvoiceSummary]
    total: int = Field(description="How many invoices match the filter")


class PartyRead(BaseModel):
    legal_name: str
    street: str
    postcode: str
    city: str
    country: str
    vat_id: str = Field(description="'' when there is none")

    @classmethod
    def of(cls, snapshot: dict[str, Any]) -> PartyRead:
        return cls(**{name: str(snapshot.get(name, "")) for name in cls.model_fields})


class InvoiceLineRead(BaseModel):
    position: int
    product_code: str
    description: str
    quantity: int
    unit_net_minor: int
    net_minor: int
    vat_rate_bp: int
    vat_minor: int
    gross_minor: int
    order_line_id: uuid.UUID | None
    vin: str | None
    period_from: datetime | None
    period_until: datetime | None

    @classmethod
    def of(cls, line: InvoiceLine) -> InvoiceLineRead:
        return cls(
            position=line.position,
            product_code=line.product_code,
            description=line.description,
            quantity=line.quantity,
            unit_net_minor=line.unit_net_minor,
            net_minor=line.net_minor,
            vat_rate_bp=line.vat_rate_bp,
            vat_minor=line.vat_minor,
            gross_minor=line.net_minor + line.vat_minor,
            order_line_id=line.order_line_id,
            vin=line.vin,
            period_from=line.period_from,
            period_until=line.period_until,
        )


class RateTotalRead(BaseModel):
    rate_bp: int
    net_minor: int
    vat_minor: int


class TotalsRead(BaseModel):
    net_minor: int
    vat_minor: int
    gross_minor: int
    currency: str


class InvoiceRead(InvoiceSummary):
    credited_invoice_number: str | None
    treatment: str = Field(
        description="DOMESTIC, REVERSE_CHARGE, INTRA_EU_SUPPLY, OSS, OUTSIDE_EU or EXPORT"
    )
    note: str | None = Field(description="The legal note (reverse charge, exemption), if any")
    reason: str | None = Field(description="Why a credit note was issued")
    seller: PartyRead
    customer: PartyRead
    lines: list[InvoiceLineRead]
    vat_breakdown: list[RateTotalRead]
    totals: TotalsRead

    @classmethod
    def full(
        cls, invoice: Invoice, lines: list[InvoiceLine], *, credited_number: str | None
    ) -> InvoiceRead:
        return cls(
            **InvoiceSummary.of(invoice).model_dump(),
            credited_invoice_number=credited_number,
            treatment=invoice.treatment,
            note=invoice.note,
            reason=invoice.reason,
            seller=PartyRead.of(invoice.seller),
            customer=PartyRead.of(invoice.customer),
            lines=[InvoiceLineRead.of(line) for line in lines],
            vat_breakdown=[RateTotalRead(**rate) for rate in invoice.vat_breakdown],
            totals=TotalsRead(
                net_minor=invoice.net_minor,
                vat_minor=invoice.vat_minor,
                gross_minor=invoice.gross_minor,
                currency=invoice.currency,
            ),
        )
