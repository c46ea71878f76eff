"""Request and response bodies. Money is in minor units (cents) with an ISO 4217 currency;
times are RFC 3339 in UTC."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from billing.db.models import Entitlement, Order, Product
from billing.domain.catalog import Price, Scope
from billing.domain.orders import OrderStatus
from billing.services.entitlements import ScopeCoverage, window_of

__all__ = [
    "EntitlementList",
    "EntitlementRead",
    "EntitlementSummaryRead",
    "OrderAmounts",
    "OrderCreate",
    "OrderList",
    "OrderRead",
    "PaymentCallbackBody",
    "PaymentRead",
    "PriceRead",
    "ProductList",
    "ProductRead",
    "ScopeSummaryRead",
    "WebhookAck",
    "WindowRead",
]

ProductCode = Annotated[str, Field(min_length=1, max_length=64, examples=["AIR_1D"])]


class PriceRead(BaseModel):
    net_minor: int = Field(description="Net price in minor units (cents)")
    vat_minor: int = Field(description="VAT in minor units, rounded half up")
    gross_minor: int = Field(description="net_minor + vat_minor")
    vat_rate_percent: int
    currency: str = Field(examples=["EUR"])

    @classmethod
    def of(cls, price: Price) -> PriceRead:
        return cls(
            net_minor=price.net_minor,
            vat_minor=price.vat_minor,
            gross_minor=price.gross_minor,
            vat_rate_percent=price.vat_rate_percent,
            currency=price.currency,
        )


class ProductRead(BaseModel):
    code: str = Field(examples=["AIR_1D"])
    scope: Scope
    name: str
    duration_seconds: int
    price: PriceRead

    @classmethod
    def of(cls, product: Product, price: Price) -> ProductRead:
        return cls(
            code=product.code,
            scope=Scope(product.scope),
            name=product.name,
            duration_seconds=product.duration_seconds,
            price=PriceRead.of(price),
        )


class ProductList(BaseModel):
    items: list[ProductRead]


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_code: ProductCode


class OrderAmounts(BaseModel):
    net_minor: int
    vat_minor: int
    gross_minor: int
    vat_rate_percent: int


class OrderRead(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID
    user_id: uuid.UUID
    product_code: str
    scope: Scope
    duration_seconds: int
    amounts: OrderAmounts
    currency: str
    status: OrderStatus
    payment_id: str | None
    created_at: datetime
    paid_at: datetime | None

    @classmethod
    def of(cls, order: Order) -> OrderRead:
        return cls(
            id=order.id,
            organization_id=order.organization_id,
            user_id=order.user_id,
            product_code=order.product_code,
            scope=Scope(order.scope),
            duration_seconds=order.duration_seconds,
            amounts=OrderAmounts(
                net_minor=order.net_minor,
                vat_minor=order.vat_minor,
                gross_minor=order.gross_minor,
                vat_rate_percent=order.vat_rate_percent,
            ),
            currency=order.currency,
            status=OrderStatus(order.status),
            payment_id=order.payment_id,
            created_at=order.created_at,
            paid_at=order.paid_at,
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
            valid_from=entitlement.valid_from,
            valid_until=entitlement.valid_until,
            seconds_left=window.seconds_left(now),
            active=window.is_active(now),
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


class EntitlementSummaryRead(BaseModel):
    as_of: datetime
    scopes: list[ScopeSummaryRead]
