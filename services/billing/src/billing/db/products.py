"""SQL of the product catalog and its stock."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import Product
from billing.domain.catalog import ProductKind, ProductSpec

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

    async def list_all(self) -> Sequence[Product]:
        """Every product, withdrawn ones too, in catalog order."""
        result = await self.session.scalars(
            select(Product).order_by(Product.position, Product.code)
        )
        return result.all()

    async def get_active(self, code: str) -> Product | None:
        return await self.session.scalar(
            select(Product).where(Product.code == code, Product.active)
        )

    async def get(self, code: str, *, for_update: bool = False) -> Product | None:
        statement = select(Product).where(Product.code == code)
        if for_update:
            statement = statement.with_for_update()
        return await self.session.scalar(statement)

    async def reserve_stock(self, code: str, quantity: int) -> int | None:
        """Take ``quantity`` units off the stock of ``code`` if that many are there; the stock
        left, or None when there were fewer (nothing taken).

        One conditional UPDATE: concurrent buyers queue on the row lock, and each sees the
        stock the one before left, so the last unit is sold once.
        """
        return await self.session.scalar(
            update(Product)
            .where(Product.code == code, Product.stock_available >= quantity)
            .values(stock_available=Product.stock_available - quantity)
            .returning(Product.stock_available)
        )

    async def stock_of(self, code: str) -> int:
        return (
            await self.session.scalar(select(Product.stock_available).where(Product.code == code))
            or 0
        )

    async def release_stock(self, code: str, quantity: int) -> None:
        await self.session.execute(
            update(Product)
            .where(Product.code == code)
            .values(stock_available=Product.stock_available + quantity)
        )

    async def add(self, product: Product) -> Product:
        self.session.add(product)
        await self.session.flush()
        return product

    async def next_position(self) -> int:
        return (
            await self.session.scalar(
                select(Product.position).order_by(Product.position.desc()).limit(1)
            )
            or 0
        ) + 1

    async def insert_missing(self, specs: Sequence[ProductSpec]) -> int:
        """Insert the products whose code is not there yet; returns how many were inserted.

        Existing rows are left alone, so a price or stock changed in the database survives a
        re-seed.
        """
        if not specs:
            return 0
        statement = (
            insert(Product)
            .values(
                [
                    {
                        "code": spec.code,
                        "kind": spec.kind.value,
                        "scope": None if spec.scope is None else spec.scope.value,
                        "name": spec.name,
                        "description": spec.description,
                        "duration_seconds": spec.duration_seconds,
                        "net_minor": spec.net_minor,
                        "currency": spec.currency,
                        "stock_available": spec.stock if spec.kind is ProductKind.TOOL else None,
                        "weight_grams": spec.weight_grams,
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
