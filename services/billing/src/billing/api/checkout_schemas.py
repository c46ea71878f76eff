"""Bodies of the checkout: the cart in, the quote out. Money in minor units, rates in basis
points."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from billing.api.schemas import (
    AddressBody,
    OrderRead,
    ProductCode,
    ShippingRead,
    TaxRead,
    TotalsRead,
    VinField,
)
from billing.domain.catalog import ProductKind
from billing.services.checkout import Cart, CartLine, PricedLine, Quote

__all__ = [
    "CheckoutBody",
    "CheckoutRead",
    "CheckoutStartedPayment",
    "QuoteBody",
    "QuoteLineRead",
    "QuoteRead",
    "TermsRead",
    "VatBreakdownRead",
]


class CartLineBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_code: ProductCode
    quantity: int = Field(default=1, ge=1, le=99, description="1..99; passes: 1")
    vin: VinField | None = Field(
        default=None, description="Required for a per-VIN pass (VIN_PASS), refused otherwise"
    )


class QuoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[CartLineBody] = Field(min_length=1, max_length=50)
    shipping_address: AddressBody | None = Field(
        default=None, description="Where tools go; defaults to the company address"
    )

    def to_cart(self) -> Cart:
        return Cart(
            lines=tuple(
                CartLine(product_code=li.product_code, quantity=li.quantity, vin=li.vin)
                for li in self.lines
            ),
            shipping_address=None
            if self.shipping_address is None
            else self.shipping_address.to_domain(),
        )


class CheckoutBody(QuoteBody):
    accept_terms: bool = Field(description="The buyer's explicit confirmation of the terms")
    terms_version: str = Field(
        min_length=1, max_length=32, description="The version the buyer was shown (quote.terms)"
    )


class WindowOfferRead(BaseModel):
    valid_from: datetime
    valid_until: datetime


class QuoteLineRead(BaseModel):
    product_code: str
    name: str
    kind: ProductKind
    quantity: int
    vin: str | None
    unit_net_minor: int
    net_minor: int
    vat_rate_bp: int
    vat_minor: int
    gross_minor: int
    window: WindowOfferRead | None = Field(
        description="For a pass: the window it gives if bought now, after the time already held"
    )

    @classmethod
    def of(cls, line: PricedLine) -> QuoteLineRead:
        return cls(
            product_code=line.product.code,
            name=line.product.name,
            kind=line.kind,
            quantity=line.quantity,
            vin=line.vin,
            unit_net_minor=line.unit_net_minor,
            net_minor=line.net_minor,
            vat_rate_bp=line.vat_rate_bp,
            vat_minor=line.vat_minor,
            gross_minor=line.gross_minor,
            window=None
            if line.window is None
            else WindowOfferRead(
                valid_from=line.window.valid_from, valid_until=line.window.valid_until
            ),
        )


class VatBreakdownRead(BaseModel):
    rate_bp: int
    net_minor: int
    vat_minor: int


class TermsRead(BaseModel):
    version: str
    url: str


class QuoteRead(BaseModel):
    lines: list[QuoteLineRead]
    shipping: ShippingRead | None
    totals: TotalsRead
    vat_breakdown: list[VatBreakdownRead]
    tax: TaxRead
    requires_shipping: bool
    shipping_address: AddressBody | None
    terms: TermsRead = Field(description="Accept these with POST /checkout")

    @classmethod
    def of(cls, quote: Quote) -> QuoteRead:
        customer = quote.profile.customer
        return cls(
            lines=[QuoteLineRead.of(line) for line in quote.lines],
            shipping=None
            if quote.shipping is None
            else ShippingRead(
                net_minor=quote.shipping.net_minor,
                vat_minor=quote.shipping.vat_minor,
                gross_minor=quote.shipping.gross_minor,
                rule=quote.shipping.fee.rule,
            ),
            totals=TotalsRead(
                net_minor=quote.net_minor,
                vat_minor=quote.vat_minor,
                gross_minor=quote.gross_minor,
                currency=quote.currency,
            ),
            vat_breakdown=[
                VatBreakdownRead(rate_bp=rate, net_minor=net, vat_minor=vat)
                for rate, net, vat in quote.vat_breakdown()
            ],
            tax=TaxRead(
                treatment=quote.decision.treatment.value,
                note=quote.note,
                customer_country=customer.country,
                vat_id=customer.vat_id or None,
                vat_id_status=quote.profile.vat_id_status.value,
            ),
            requires_shipping=quote.requires_shipping,
            shipping_address=None
            if quote.shipping_address is None
            else AddressBody.of(quote.shipping_address),
            terms=TermsRead(version=quote.terms_version, url=quote.terms_url),
        )


class CheckoutStartedPayment(BaseModel):
    payment_id: str
    status: Literal["pending"]


class CheckoutRead(BaseModel):
    order: OrderRead
    payment: CheckoutStartedPayment | None = Field(
        description=(
            "The payment started for the order; null when the provider could not be reached "
            "(pay with POST /orders/{id}/payment)"
        )
    )
