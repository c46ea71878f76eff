"""Repository of invoices, their lines and the yearly number counters."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import Invoice, InvoiceLine

__all__ = ["InvoiceRepository"]

# Takes the next number of a year. The row lock taken by the upsert is held until the caller's
# transaction ends: a concurrent issuer waits, and a rollback hands the number back.
_NEXT_NUMBER = text(
    "INSERT INTO invoice_counters (year, last_number) VALUES (:year, 1) "
    "ON CONFLICT (year) DO UPDATE SET last_number = invoice_counters.last_number + 1 "
    "RETURNING last_number"
)


class InvoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_sequence(self, year: int) -> int:
        return int((await self.session.execute(_NEXT_NUMBER, {"year": year})).scalar_one())

    def add(self, invoice: Invoice, lines: Sequence[InvoiceLine]) -> None:
        self.session.add(invoice)
        self.session.add_all(lines)

    async def get(
        self, invoice_id: uuid.UUID, *, organization_id: uuid.UUID | None = None
    ) -> Invoice | None:
        statement = select(Invoice).where(Invoice.id == invoice_id)
        if organization_id is not None:
            statement = statement.where(Invoice.organization_id == organization_id)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def get_for_update(self, invoice_id: uuid.UUID) -> Invoice | None:
        """The invoice, locked: two credit notes for one invoice are issued in turn."""
        statement = select(Invoice).where(Invoice.id == invoice_id).with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def lines(self, invoice_id: uuid.UUID) -> list[InvoiceLine]:
        statement = (
            select(InvoiceLine)
            .where(InvoiceLine.invoice_id == invoice_id)
            .order_by(InvoiceLine.position)
        )
        return list((await self.session.execute(statement)).scalars())

    async def credited_line_ids(self, line_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these invoice lines a credit note has already taken back."""
        if not line_ids:
            return set()
        statement = select(InvoiceLine.credited_line_id).where(
            InvoiceLine.credited_line_id.in_(line_ids)
        )
        return {row for row in (await self.session.execute(statement)).scalars() if row}

    async def for_orders(self, order_ids: Sequence[uuid.UUID]) -> list[Invoice]:
        """The invoices and credit notes of these orders, oldest first."""
        if not order_ids:
            return []
        statement = (
            select(Invoice)
            .where(Invoice.order_id.in_(order_ids))
            .order_by(Invoice.issued_at, Invoice.number)
        )
        return list((await self.session.execute(statement)).scalars())

    async def for_order(self, order_id: uuid.UUID) -> list[Invoice]:
        statement = select(Invoice).where(Invoice.order_id == order_id).order_by(Invoice.issued_at)
        return list((await self.session.execute(statement)).scalars())

    async def list_for_organization(
        self,
        organization_id: uuid.UUID,
        *,
        kind: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Invoice], int]:
        """A page of the organisation's invoices, newest first, and how many there are."""
        where = [Invoice.organization_id == organization_id]
        if kind is not None:
            where.append(Invoice.kind == kind)
        page = (
            select(Invoice)
            .where(*where)
            .order_by(Invoice.issued_at.desc(), Invoice.number.desc())
            .limit(limit)
            .offset(offset)
        )
        count = select(func.count()).select_from(Invoice).where(*where)
        items = list((await self.session.execute(page)).scalars())
        total = int((await self.session.execute(count)).scalar_one())
        return items, total
