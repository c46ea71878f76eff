"""SQL of the product catalog."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import Product
from billing.domain.catalog import ProductSpec

__all__ = ["ProductRepository"]


class ProductRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_active(self) -> Sequence[Product]:
        """Products on sale, in catalog order."""
        result = await self.session.scalars(
            select(Product).where(Product.active).order_by(Product.position, Product.code)
        )
        return result.all()

    async def get_active(self, code: str) -> Product | None:
        return await self.session.scalar(
            select(Product).where(Product.code == code, Product.active)
        )

    async def insert_missing(self, specs: Sequence[ProductSpec]) -> int:
        """Insert the products whose code is not there yet; returns how many were inserted.

        Existing rows are left alone, so a price changed in the database survives a re-seed.
        """
        if not specs:
            return 0
        statement = (
            insert(Product)
            .values(
                [
                    {
                        "code": spec.code,
                        "scope": spec.scope.value,
                        "name": spec.name,
                        "duration_seconds": spec.duration_seconds,
                        "net_minor": spec.net_minor,
                        "currency": spec.currency,
                        "position": position,
                    }
                    for position, spec in enumerate(specs)
                ]
            )
            .on_conflict_do_nothing(index_elements=[Product.code])
            .returning(Product.code)
        )
        inserted = await self.session.scalars(statement)
        return len(inserted.all())
