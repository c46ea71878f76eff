"""Repository of the dated VAT id checks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import VatIdCheck

__all__ = ["VatIdCheckRepository"]


class VatIdCheckRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, check: VatIdCheck) -> VatIdCheck:
        self.session.add(check)
        return check

    async def latest(
        self,
        vat_id: str,
        *,
        since: datetime,
        source: str,
        results: tuple[str, ...],
    ) -> VatIdCheck | None:
        """The newest check of ``vat_id`` from ``source`` since ``since`` with one of
        ``results``."""
        statement = (
            select(VatIdCheck)
            .where(
                VatIdCheck.vat_id == vat_id,
                VatIdCheck.source == source,
                VatIdCheck.result.in_(results),
                VatIdCheck.checked_at >= since,
            )
            .order_by(VatIdCheck.checked_at.desc(), VatIdCheck.id.desc())
            .limit(1)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def for_vat_id(self, vat_id: str) -> list[VatIdCheck]:
        statement = select(VatIdCheck).where(VatIdCheck.vat_id == vat_id).order_by(VatIdCheck.id)
        return list((await self.session.execute(statement)).scalars())
