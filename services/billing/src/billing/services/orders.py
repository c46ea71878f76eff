"""Reading orders with their lines, and what each line's pass became."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.entitlements import EntitlementRepository
from billing.db.invoices import InvoiceRepository
from billing.db.models import Entitlement, Invoice, Order, OrderLine
from billing.db.orders import OrderRepository
from billing.errors import OrderNotFoundError
from billing.services.refunds import RefundPolicy, refund_refusal_for

__all__ = ["LineView", "OrderView", "get_order", "get_order_view", "list_order_views"]


@dataclass(frozen=True)
class LineView:
    line: OrderLine
    entitlement: Entitlement | None
    refundable: bool


@dataclass(frozen=True)
class OrderView:
    order: Order
    lines: tuple[LineView, ...]
    # Its invoice and credit notes, oldest first.
    invoices: tuple[Invoice, ...] = ()


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


async def _views(
    session: AsyncSession, orders: Sequence[Order], *, now: datetime, policy: RefundPolicy
) -> list[OrderView]:
    lines = await OrderRepository(session).lines_of_orders([o.id for o in orders])
    entitlements = await EntitlementRepository(session).by_order_lines([li.id for li in lines])
    by_order: dict[uuid.UUID, list[LineView]] = defaultdict(list)
    paid_at = {o.id: o.paid_at for o in orders}
    for line in lines:
        entitlement = entitlements.get(line.id)
        refundable = False
        if entitlement is not None and (moment := paid_at[line.order_id]) is not None:
            refusal = await refund_refusal_for(
                session, entitlement, line, paid_at=moment, now=now, policy=policy
            )
            refundable = refusal is None
        by_order[line.order_id].append(LineView(line, entitlement, refundable))
    invoices: dict[uuid.UUID, list[Invoice]] = defaultdict(list)
    for invoice in await InvoiceRepository(session).for_orders([o.id for o in orders]):
        invoices[invoice.order_id].append(invoice)
    return [
        OrderView(order, tuple(by_order[order.id]), tuple(invoices[order.id])) for order in orders
    ]


async def get_order_view(
    session: AsyncSession,
    organization_id: uuid.UUID,
    order_id: uuid.UUID,
    *,
    now: datetime,
    policy: RefundPolicy,
) -> OrderView:
    """Raises OrderNotFoundError (see :func:`get_order`)."""
    order = await get_order(session, organization_id, order_id)
    return (await _views(session, [order], now=now, policy=policy))[0]


async def list_order_views(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    limit: int,
    offset: int,
    now: datetime,
    policy: RefundPolicy,
) -> list[OrderView]:
    """Newest first."""
    found = await OrderRepository(session).list_for_organization(
        organization_id, limit=limit, offset=offset
    )
    return await _views(session, found, now=now, policy=policy)
