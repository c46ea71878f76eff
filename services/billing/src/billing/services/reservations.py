"""Releasing the stock of orders left unpaid past their reservation."""

from __future__ import annotations

from datetime import datetime

from billing.db.orders import OrderRepository
from billing.db.products import ProductRepository
from billing.domain.catalog import ProductKind
from billing.domain.orders import OrderStatus
from servicekit.db import Database
from servicekit.logging import get_logger

__all__ = ["expire_unpaid_orders"]

log = get_logger(__name__)

# Orders expired per transaction: short transactions, few locks.
EXPIRY_BATCH = 100


async def expire_unpaid_orders(database: Database, *, now: datetime) -> int:
    """Expire every unpaid order whose reservation ended by ``now`` and has no payment under
    way, and put its tools back in stock; how many orders. Orders another transaction holds
    (a payment starting this moment) are left for the next run."""
    total = 0
    while True:
        async with database.transaction() as session:
            orders = OrderRepository(session)
            products = ProductRepository(session)
            batch = await orders.lock_expired_reservations(now=now, limit=EXPIRY_BATCH)
            for order in batch:
                for line in await orders.lines_of(order.id):
                    if line.kind == ProductKind.TOOL:
                        await products.release_stock(line.product_code, line.quantity)
                order.status = OrderStatus.EXPIRED.value
                log.info("unpaid order expired, stock released", order_id=str(order.id))
            await session.flush()
        total += len(batch)
        if len(batch) < EXPIRY_BATCH:
            return total
