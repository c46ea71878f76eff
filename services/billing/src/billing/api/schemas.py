"""Request and response bodies. Money is in minor units (cents) with an ISO 4217 currency;
times are RFC 3339 in UTC."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt
from pydantic_core import PydanticCustomError

from billing.db.models import Entitlement, Product
from billing.domain.catalog import Price, ProductKind, Scope
from billing.domain.orders import FulfilmentStatus, OrderStatus
from billing.domain.vin import InvalidVin, validate_vin
from billing.services.checkout import Address
from billing.services.entitlements import ScopeCoverage, VinCoverage, window_of
from billing.services.orders import LineView, OrderView

__all__ = [
    "AddressBody",
    "CreditNoteRef",
    "EntitlementList",
    "EntitlementRead",
    "EntitlementSummaryRead",
    "FulfilmentRead",
    "InvoiceRefRead",
    "OrderCreate",
    "OrderLineRead",
    "OrderList",
    "OrderRead",
    "PaymentCallbackBody",
    "PaymentRead",
    "PriceRead",
    "ProductCode",
    "ProductList",
    "ProductRead",
    "RefundRead",
    "ScopeSummaryRead",
    "ShippingRead",
    "TaxRead",
    "TotalsRead",
    "VinField",
    "VinPassRead",
    "WebhookAck",
    "WindowRead",
]

ProductCode = Annotated[str, Field(min_length=1, max_length=64, examples=["AIR_1D"])]


def _vin(value: str) -> str:
    try:
        return validate_vin(value)
    except InvalidVin as exc:
        raise PydanticCustomError("vin-invalid", str(exc)) from None


VinField = Annotated[
    str,
    Field(
        max_length=64,
        description="17 characters: digits and A-Z without I, O, Q",
        examples=["WBA8E9G50GNT12345"],
    ),
    AfterValidator(_vin),
]


class PriceRead(BaseModel):
    net_minor: int = Field(description="Net price in minor units (cents)")
    vat_minor: int = Field(description="VAT in minor units, rounded half up")
    gross_minor: int = Field(description="net_minor + vat_minor")
    vat_rate_bp: int = Field(description="VAT rate in basis points (19 % = 1900)")
    currency: str = Field(examples=["EUR"])

    @classmethod
    def of(cls, price: Price) -> PriceRead:
        return cls(
            net_minor=price.net_minor,
            vat_minor=price.vat_minor,
            gross_minor=price.gross_minor,
            vat_rate_bp=price.vat_rate_bp,
            currency=price.currency,
        )


class ProductRead(BaseModel):
    code: str = Field(examples=["AIR_1D"])
    kind: ProductKind
    scope: Scope | None = Field(description="null for tools")
    name: str
    description: str
    duration_seconds: int | None = Field(description="null for tools")
    net_minor: int
    currency: str
    price: PriceRead = Field(
        description=(
            "Indicative: with the seller country's VAT. What a buyer pays depends on their "
            "country and VAT id: POST /checkout/quote."
        )
    )
    stock_available: int | None = Field(description="Tools: units on sale; null for passes")
    weight_grams: int | None = Field(description="Tools only")

    @classmethod
    def of(cls, product: Product, price: Price) -> ProductRead:
        return cls(
            code=product.code,
            kind=ProductKind(product.kind),
            scope=None if product.scope is None else Scope(product.scope),
            name=product.name,
            description=product.description,
            duration_seconds=product.duration_seconds,
            net_minor=product.net_minor,
            currency=product.currency,
            price=PriceRead.of(price),
            stock_available=product.stock_available,
            weight_grams=product.weight_grams,
        )


class ProductList(BaseModel):
    items: list[ProductRead]


class OrderCreate(BaseModel):
    """A one-line order, for partners' integrations: like a checkout of one line, accepting
    the current terms of sale, without starting the payment."""

    model_config = ConfigDict(extra="forbid")

    product_code: ProductCode
    quantity: int = Field(default=1, ge=1, le=99)
    vin: VinField | None = None


def _country(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise PydanticCustomError(
            "country-unknown", "not a country code: use ISO 3166-1 alpha-2, for example DE or AT"
        )
    return code


class AddressBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    street: str = Field(min_length=1, max_length=200)
    postcode: str = Field(min_length=1, max_length=20)
    city: str = Field(min_length=1, max_length=100)
    country: Annotated[
        str,
        Field(max_length=10, description="ISO 3166-1 alpha-2", examples=["DE"]),
        AfterValidator(_country),
    ]

    @classmethod
    def of(cls, address: Address) -> AddressBody:
        return cls(
            name=address.name,
            street=address.street,
            postcode=address.postcode,
            city=address.city,
            country=address.country,
        )

    def to_domain(self) -> Address:
        return Address(
            name=self.name.strip(),
            street=self.street.strip(),
            postcode=self.postcode.strip(),
            city=self.city.strip(),
            country=self.country,
        )


class TotalsRead(BaseModel):
    net_minor: int
    vat_minor: int
    gross_minor: int
    currency: str


class TaxRead(BaseModel):
    treatment: str = Field(examples=["DOMESTIC", "REVERSE_CHARGE", "OSS", "OUTSIDE_EU"])
    note: str | None = Field(description="The legal note when no VAT is charged")
    customer_country: str | None
    vat_id: str | None
    vat_id_status: Literal["valid", "invalid", "unchecked", "none"] | None


class OrderLineRead(BaseModel):
    id: uuid.UUID
    product_code: str
    name: str
    kind: ProductKind
    scope: Scope | None
    quantity: int
    vin: str | None
    unit_net_minor: int
    net_minor: int
    vat_rate_bp: int
    vat_minor: int
    gross_minor: int
    entitlement_id: uuid.UUID | None = Field(description="The pass this line granted")
    refundable: bool = Field(description="POST /entitlements/{entitlement_id}/refund may work")

    @classmethod
    def of(cls, view: LineView) -> OrderLineRead:
        line = view.line
        return cls(
            id=line.id,
            product_code=line.product_code,
            name=line.name,
            kind=ProductKind(line.kind),
            scope=None if line.scope is None else Scope(line.scope),
            quantity=line.quantity,
            vin=line.vin,
            unit_net_minor=line.unit_net_minor,
            net_minor=line.net_minor,
            vat_rate_bp=line.vat_rate_bp,
            vat_minor=line.vat_minor,
            gross_minor=line.gross_minor,
            entitlement_id=None if view.entitlement is None else view.entitlement.id,
            refundable=view.refundable,
        )


class FulfilmentRead(BaseModel):
    status: FulfilmentStatus
    carrier: str | None
    tracking_number: str | None
    shipped_at: datetime | None
    delivered_at: datetime | None


class InvoiceRefRead(BaseModel):
    id: uuid.UUID
    number: str
    kind: Literal["invoice", "credit_note"]


class ShippingRead(BaseModel):
    net_minor: int
    vat_minor: int
    gross_minor: int
    rule: str = Field(description="How the fee came about: zone, weight, parcels")


class OrderRead(BaseModel):
    id: uuid.UUID
    status: OrderStatus
    created_at: datetime
    paid_at: datetime | None
    payment_id: str | None
    lines: list[OrderLineRead]
    shipping: ShippingRead | None
    totals: TotalsRead
    tax: TaxRead
    shipping_address: AddressBody | None
    fulfilment: FulfilmentRead
    reservation_expires_at: datetime | None = Field(
        description="An unpaid order with tools expires then and its stock goes back"
    )
    terms_version: str | None
    invoices: list[InvoiceRefRead] = Field(description="Its invoice and credit notes")

    @classmethod
    def of(cls, view: OrderView) -> OrderRead:
        order = view.order
        address = (
            None
            if order.shipping_country is None
            else AddressBody(
                name=order.shipping_name or "",
                street=order.shipping_street or "",
                postcode=order.shipping_postcode or "",
                city=order.shipping_city or "",
                country=order.shipping_country,
            )
        )
        return cls(
            id=order.id,
            status=OrderStatus(order.status),
            created_at=order.created_at,
            paid_at=order.paid_at,
            payment_id=order.payment_id,
            lines=[OrderLineRead.of(line) for line in view.lines],
            shipping=None
            if order.shipping_rule is None
            else ShippingRead(
                net_minor=order.shipping_net_minor,
                vat_minor=order.shipping_vat_minor,
                gross_minor=order.shipping_net_minor + order.shipping_vat_minor,
                rule=order.shipping_rule,
            ),
            totals=TotalsRead(
                net_minor=order.net_minor,
                vat_minor=order.vat_minor,
                gross_minor=order.gross_minor,
                currency=order.currency,
            ),
            tax=TaxRead(
                treatment=order.tax_treatment or "DOMESTIC",
                note=order.tax_note,
                customer_country=order.customer_country,
                vat_id=order.customer_vat_id or None,
                vat_id_status=order.vat_id_status,
            ),
            shipping_address=address,
            fulfilment=FulfilmentRead(
                status=FulfilmentStatus(order.fulfilment_status),
                carrier=order.carrier,
                tracking_number=order.tracking_number,
                shipped_at=order.shipped_at,
                delivered_at=order.delivered_at,
            ),
            reservation_expires_at=order.reservation_expires_at,
            terms_version=order.terms_version,
            invoices=[
                InvoiceRefRead(
                    id=invoice.id,
                    number=invoice.number,
                    kind="credit_note" if invoice.kind == "credit_note" else "invoice",
                )
                for invoice in view.invoices
            ],
        )


class OrderList(BaseModel):
    items: list[OrderRead]


class PaymentRead(BaseModel):
    payment_id: str
    status: Literal["pending"] = Field(
        description="The outcome arrives from the payment provider; watch GET /orders/{id}"
    )
    order_id: uuid.UUID


class PaymentCallbackBody(BaseModel):
    """What the payment provider POSTs to the webhook. Unknown fields are ignored, as
    providers add fields over time."""

    model_config = ConfigDict(extra="ignore")

    payment_id: str = Field(min_length=1, max_length=255)
    order_reference: uuid.UUID
    # A literal rather than the enum keeps the inline OpenAPI schema free of $defs references.
    status: Literal["succeeded", "failed"]
    amount_minor: StrictInt = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class WebhookAck(BaseModel):
    order_id: uuid.UUID
    order_status: OrderStatus
    changed: bool = Field(description="False when the callback repeated one already applied")


class EntitlementRead(BaseModel):
    id: uuid.UUID
    scope: Scope
    order_id: uuid.UUID
    order_line_id: uuid.UUID
    vin: str | None = Field(description="Set for a per-VIN pass: it covers this vehicle only")
    revoked_at: datetime | None = Field(description="Refunded: no longer usable since then")
    valid_from: datetime
    valid_until: datetime = Field(description="Exclusive end of the window")
    seconds_left: int = Field(
        description="Usable seconds of this window from now on (all of it when queued, 0 when over)"
    )
    active: bool = Field(description="The window covers the current time")

    @classmethod
    def of(cls, entitlement: Entitlement, *, now: datetime) -> EntitlementRead:
        window = window_of(entitlement)
        return cls(
            id=entitlement.id,
            scope=Scope(entitlement.scope),
            order_id=entitlement.order_id,
            order_line_id=entitlement.order_line_id,
            vin=entitlement.vin,
            revoked_at=entitlement.revoked_at,
            valid_from=entitlement.valid_from,
            valid_until=entitlement.valid_until,
            seconds_left=0 if entitlement.revoked_at else window.seconds_left(now),
            active=entitlement.revoked_at is None and window.is_active(now),
        )


class EntitlementList(BaseModel):
    items: list[EntitlementRead]


class WindowRead(BaseModel):
    valid_from: datetime
    valid_until: datetime = Field(description="Exclusive end of the window")
    active: bool = Field(description="The window covers the current time; false when queued")


class ScopeSummaryRead(BaseModel):
    scope: Scope
    active: bool
    valid_until: datetime | None = Field(
        description="End of the uninterrupted run of passes that covers now; null when none"
    )
    seconds_left: int
    windows: list[WindowRead] = Field(
        description="The windows not yet over, by start: the running one, then the queued ones"
    )

    @classmethod
    def of(cls, coverage: ScopeCoverage, *, now: datetime) -> ScopeSummaryRead:
        return cls(
            scope=coverage.scope,
            active=coverage.active,
            valid_until=coverage.valid_until,
            seconds_left=coverage.seconds_left,
            windows=[
                WindowRead(
                    valid_from=window.valid_from,
                    valid_until=window.valid_until,
                    active=window.is_active(now),
                )
                for window in coverage.windows
            ],
        )


class VinPassRead(BaseModel):
    scope: Scope
    vin: str
    valid_until: datetime

    @classmethod
    def of(cls, coverage: VinCoverage) -> VinPassRead:
        return cls(scope=coverage.scope, vin=coverage.vin, valid_until=coverage.valid_until)


class EntitlementSummaryRead(BaseModel):
    as_of: datetime
    scopes: list[ScopeSummaryRead] = Field(description="Time passes: every vehicle")
    vin_passes: list[VinPassRead] = Field(
        description="Per-VIN passes covering now, per scope and vehicle"
    )


class CreditNoteRef(BaseModel):
    id: uuid.UUID
    number: str


class RefundRead(BaseModel):
    entitlement_id: uuid.UUID
    credit_note: CreditNoteRef | None = Field(
        description=(
            "The credit note for the refunded line; null only for an order paid before "
            "invoices were issued"
        )
    )
