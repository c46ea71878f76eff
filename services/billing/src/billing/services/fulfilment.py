"""Moving a paid order of tools through the warehouse: picked, shipped, delivered."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import Order
from billing.db.orders import OrderRepository
from billing.domain.catalog import ProductKind
from billing.domain.orders import FulfilmentStatus, OrderStatus, next_fulfilment
from billing.errors import FulfilmentError
from billing.providers.carrier import Carrier, CarrierError, Parcel

__all__ = ["deliver", "pick", "ship"]


async def _ready_for(session: AsyncSession, order_id: uuid.UUID, to: FulfilmentStatus) -> Order:
    """The order, locked, when it may become ``to`` next; the caller sets the state with its
    details in one go (a shipped order always has its tracking number)."""
    order = await OrderRepository(session).get_for_update(order_id)
    if order is None:
        raise FulfilmentError(f"There is no order {order_id}.")
    if order.status != OrderStatus.PAID:
        raise FulfilmentError(
            f"Order {order.id} is {order.status}, not paid: only paid orders are shipped."
        )
    current = FulfilmentStatus(order.fulfilment_status)
    if current is FulfilmentStatus.NONE:
        raise FulfilmentError(f"Order {order.id} has no tools to ship.")
    if next_fulfilment(current) is not to:
        raise FulfilmentError(
            f"Order {order.id} is {current.value}; it cannot become {to.value} from there "
            "(the steps are awaiting_pick, picked, shipped, delivered)."
        )
    return order


async def pick(session: AsyncSession, order_id: uuid.UUID, *, now: datetime) -> Order:
    """Raises FulfilmentError when the order is not paid and awaiting its pick."""
    order = await _ready_for(session, order_id, FulfilmentStatus.PICKED)
    order.fulfilment_status = FulfilmentStatus.PICKED.value
    order.picked_at = now
    await session.flush()
    return order


async def ship(
    session: AsyncSession,
    order_id: uuid.UUID,
    *,
    carrier: Carrier,
    now: datetime,
    tracking_number: str | None = None,
) -> Order:
    """Hand the picked order to ``carrier``, which gives the tracking number (or record the
    ``tracking_number`` of a parcel sent by hand). Raises FulfilmentError."""
    order = await _ready_for(session, order_id, FulfilmentStatus.SHIPPED)
    if tracking_number is None:
        lines = await OrderRepository(session).lines_of(order.id)
        parcel = Parcel(
            order_id=order.id,
            name=order.shipping_name or "",
            street=order.shipping_street or "",
            postcode=order.shipping_postcode or "",
            city=order.shipping_city or "",
            country=order.shipping_country or "",
            weight_grams=sum(
                (line.weight_grams or 0) * line.quantity
                for line in lines
                if line.kind == ProductKind.TOOL
            ),
        )
        try:
            tracking_number = await carrier.create_shipment(parcel)
        except CarrierError as exc:
            raise FulfilmentError(
                f"The carrier did not take the parcel ({exc}); try again, or ship by hand and "
                "pass --tracking-number."
            ) from exc
        order.carrier = carrier.name
    else:
        order.carrier = "manual"
    order.fulfilment_status = FulfilmentStatus.SHIPPED.value
    order.tracking_number = tracking_number
    order.shipped_at = now
    await session.flush()
    return order


async def deliver(session: AsyncSession, order_id: uuid.UUID, *, now: datetime) -> Order:
    """Raises FulfilmentError when the order has not been shipped."""
    order = await _ready_for(session, order_id, FulfilmentStatus.DELIVERED)
    order.fulfilment_status = FulfilmentStatus.DELIVERED.value
    order.delivered_at = now
    await session.flush()
    return order
