"""SQL of orders. Reads on behalf of a caller always filter by their organisation."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import Order, OrderLine
from billing.domain.orders import OrderStatus

__all__ = ["OrderRepository"]


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, order: Order, lines: Sequence[OrderLine] = ()) -> Order:
        self.session.add(order)
        await self.session.flush()
        self.session.add_all(lines)
        await self.session.flush()
        return order

    async def lines_of(self, order_id: uuid.UUID) -> Sequence[OrderLine]:
        """In the order they were placed."""
        result = await self.session.scalars(
            select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.position)
        )
        return result.all()

    async def lines_of_orders(self, order_ids: Sequence[uuid.UUID]) -> Sequence[OrderLine]:
        if not order_ids:
            return []
        result = await self.session.scalars(
            select(OrderLine)
            .where(OrderLine.order_id.in_(order_ids))
            .order_by(OrderLine.order_id, OrderLine.position)
        )
        return result.all()

    async def get_line(self, line_id: uuid.UUID, *, for_update: bool = False) -> OrderLine | None:
        statement = select(OrderLine).where(OrderLine.id == line_id)
        if for_update:
            statement = statement.with_for_update()
        return await self.session.scalar(statement)

    async def lock_expired_reservations(self, *, now: datetime, limit: int) -> Sequence[Order]:
        """Unpaid orders whose stock reservation ran out and whose payment is not under way
        (none started, or it failed), locked; orders another transaction holds are skipped."""
        result = await self.session.scalars(
            select(Order)
            .where(
                Order.reservation_expires_at.is_not(None),
                Order.reservation_expires_at <= now,
                or_(
                    Order.status == OrderStatus.FAILED.value,
                    (Order.status == OrderStatus.PENDING_PAYMENT.value)
                    & Order.payment_id.is_(None),
                ),
            )
            .order_by(Order.reservation_expires_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return result.all()

    async def get_for_organization(
        self, order_id: uuid.UUID, organization_id: uuid.UUID, *, for_update: bool = False
    ) -> Order | None:
        """The order when it belongs to ``organization_id``; ``for_update`` locks the row."""
        statement = select(Order).where(
            Order.id == order_id, Order.organization_id == organization_id
        )
        if for_update:
            statement = statement.with_for_update()
        return await self.session.scalar(statement)

    async def get_for_update(self, order_id: uuid.UUID) -> Order | None:
        """Any organisation's order, locked: only for the payment provider's signed callback,
        which names the order itself."""
        return await self.session.scalar(
            select(Order).where(Order.id == order_id).with_for_update()
        )

    async def list_for_organization(
        self, organization_id: uuid.UUID, *, limit: int, offset: int
    ) -> Sequence[Order]:
        """Newest first."""
        result = await self.session.scalars(
            select(Order)
            .where(Order.organization_id == organization_id)
            .order_by(Order.created_at.desc(), Order.id)
            .limit(limit)
            .offset(offset)
        )
        return result.all()

    async def list_pending_payments(
        self, *, started_before: datetime, limit: int
    ) -> Sequence[tuple[uuid.UUID, str]]:
        """(order id, payment id) of every organisation's payments still pending that started
        before ``started_before``, oldest first: for reconciliation with the provider."""
        result = await self.session.execute(
            select(Order.id, Order.payment_id)
            .where(
                Order.status == OrderStatus.PENDING_PAYMENT.value,
                Order.payment_id.is_not(None),
                Order.payment_started_at < started_before,
            )
            .order_by(Order.payment_started_at)
            .limit(limit)
        )
        return [(order_id, str(payment_id)) for order_id, payment_id in result.all()]
