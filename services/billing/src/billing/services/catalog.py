"""Reading and seeding the product catalog."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import Product
from billing.db.products import ProductRepository
from billing.domain.catalog import Price, price_with_vat, standard_catalog
from billing.errors import ProductNotFoundError

__all__ = ["get_product", "list_products", "product_price", "seed_catalog"]


async def list_products(session: AsyncSession) -> Sequence[Product]:
    return await ProductRepository(session).list_active()


async def get_product(session: AsyncSession, code: str) -> Product:
    """Raises ProductNotFoundError when no product with ``code`` is on sale."""
    product = await ProductRepository(session).get_active(code)
    if product is None:
        raise ProductNotFoundError(
            f"There is no product '{code}' on sale; GET /catalog/products lists them all."
        )
    return product


def product_price(product: Product, *, vat_rate_percent: int) -> Price:
    return price_with_vat(
        product.net_minor, vat_rate_percent=vat_rate_percent, currency=product.currency
    )


async def seed_catalog(session: AsyncSession) -> int:
    """Insert the standard products that are missing; returns how many were added.

    Safe to run any number of times: products already there (and their possibly edited
    prices) are kept.
    """
    return await ProductRepository(session).insert_missing(standard_catalog())
