"""Placing and reading orders."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import Order
from billing.db.orders import OrderRepository
from billing.db.products import ProductRepository
from billing.domain.catalog import price_with_vat
from billing.domain.orders import OrderStatus
from billing.errors import OrderNotFoundError, UnknownProductError
from servicekit.auth import Principal

__all__ = ["get_order", "list_orders", "place_order"]


async def place_order(
    session: AsyncSession,
    principal: Principal,
    *,
    product_code: str,
    vat_rate_percent: int,
    now: datetime | None = None,
) -> Order:
    """A new order awaiting payment, priced from the catalog as it is now.

    Raises UnknownProductError (listing the valid codes) when the product is not on sale.
    """
    products = ProductRepository(session)
    product = await products.get_active(product_code)
    if product is None:
        codes = [p.code for p in await products.list_active()]
        raise UnknownProductError(
            f"There is no product '{product_code}' on sale; use one of: {', '.join(codes)}.",
            valid_codes=codes,
        )
    price = price_with_vat(
        product.net_minor, vat_rate_percent=vat_rate_percent, currency=product.currency
    )
    order = Order(
        id=uuid.uuid4(),
        organization_id=principal.organization_id,
        user_id=principal.user_id,
        product_code=product.code,
        scope=product.scope,
        duration_seconds=product.duration_seconds,
        net_minor=price.net_minor,
        vat_minor=price.vat_minor,
        gross_minor=price.gross_minor,
        vat_rate_percent=price.vat_rate_percent,
        currency=price.currency,
        status=OrderStatus.PENDING_PAYMENT.value,
        created_at=now or datetime.now(UTC),
    )
    return await OrderRepository(session).add(order)


async def list_orders(
    session: AsyncSession, organization_id: uuid.UUID, *, limit: int, offset: int
) -> Sequence[Order]:
    return await OrderRepository(session).list_for_organization(
        organization_id, limit=limit, offset=offset
    )


async def get_order(
    session: AsyncSession,
    organization_id: uuid.UUID,
    order_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Order:
    """Raises OrderNotFoundError when there is no such order in ``organization_id``; another
    organisation's order is indistinguishable from a missing one."""
    order = await OrderRepository(session).get_for_organization(
        order_id, organization_id, for_update=for_update
    )
    if order is None:
        raise OrderNotFoundError(
            f"Your organisation has no order {order_id}; GET /orders lists yours."
        )
    return order
