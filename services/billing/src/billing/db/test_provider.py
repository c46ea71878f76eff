"""SQL of the test payment provider's payments (the fake PSP keeps its state in billing's
database, so that its callbacks survive a restart)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import TestProviderPayment

__all__ = ["TestProviderPaymentRepository"]


class TestProviderPaymentRepository:
    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_once(self, payment: TestProviderPayment) -> TestProviderPayment:
        """Insert ``payment`` unless its idempotency key has one already; returns the stored
        payment for that key (the new one, or the earlier one)."""
        values = {
            column.key: getattr(payment, column.key)
            for column in TestProviderPayment.__table__.columns
            if getattr(payment, column.key) is not None
        }
        await self.session.execute(
            insert(TestProviderPayment)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
        )
        stored = await self.session.scalar(
            select(TestProviderPayment).where(
                TestProviderPayment.idempotency_key == payment.idempotency_key
            )
        )
        assert stored is not None  # inserted above, or there before
        return stored

    async def get(self, payment_id: str) -> TestProviderPayment | None:
        return await self.session.get(TestProviderPayment, payment_id)

    async def list_due(self, now: datetime, *, limit: int) -> Sequence[TestProviderPayment]:
        """Undelivered callbacks whose next attempt is due at ``now``, oldest first."""
        result = await self.session.scalars(
            select(TestProviderPayment)
            .where(
                TestProviderPayment.delivered_at.is_(None),
                TestProviderPayment.next_attempt_at <= now,
            )
            .order_by(TestProviderPayment.next_attempt_at)
            .limit(limit)
        )
        return result.all()

    async def next_attempt_at(self) -> datetime | None:
        """When the earliest undelivered callback is due; None when all are delivered."""
        return await self.session.scalar(
            select(func.min(TestProviderPayment.next_attempt_at)).where(
                TestProviderPayment.delivered_at.is_(None)
            )
        )

    async def mark_delivered(self, payment_id: str, *, at: datetime) -> None:
        await self.session.execute(
            update(TestProviderPayment)
            .where(TestProviderPayment.payment_id == payment_id)
            .values(delivered_at=at, attempts=TestProviderPayment.attempts + 1)
        )

    async def record_failed_attempt(self, payment_id: str, *, retry_at: datetime) -> None:
        await self.session.execute(
            update(TestProviderPayment)
            .where(
                TestProviderPayment.payment_id == payment_id,
                TestProviderPayment.delivered_at.is_(None),
            )
            .values(next_attempt_at=retry_at, attempts=TestProviderPayment.attempts + 1)
        )
