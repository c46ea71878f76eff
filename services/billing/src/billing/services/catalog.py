"""Reading, seeding and editing the product catalog."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import Product
from billing.db.products import ProductRepository
from billing.domain.catalog import CURRENCY, Price, ProductKind, price_with_vat, standard_catalog
from billing.domain.tax import standard_rate_bp
from billing.errors import CatalogEditError, ProductNotFoundError

__all__ = [
    "add_tool",
    "get_product",
    "list_all_products",
    "list_products",
    "product_price",
    "seed_catalog",
    "set_price",
    "set_stock",
]

TOOL_CODE = re.compile(r"^TOOL_[A-Z0-9_]{1,59}$")


async def list_products(session: AsyncSession) -> Sequence[Product]:
    return await ProductRepository(session).list_active()


async def list_all_products(session: AsyncSession) -> Sequence[Product]:
    return await ProductRepository(session).list_all()


async def get_product(session: AsyncSession, code: str) -> Product:
    """Raises ProductNotFoundError when no product with ``code`` is on sale."""
    product = await ProductRepository(session).get_active(code)
    if product is None:
        raise ProductNotFoundError(
            f"There is no product '{code}' on sale; GET /catalog/products lists them all."
        )
    return product


def product_price(product: Product, *, seller_country: str) -> Price:
    """The indicative price: the seller country's standard rate. What a buyer pays depends on
    their country and VAT id (POST /checkout/quote)."""
    return price_with_vat(
        product.net_minor, vat_rate_bp=standard_rate_bp(seller_country), currency=product.currency
    )


async def seed_catalog(session: AsyncSession) -> int:
    """Insert the standard products that are missing; returns how many were added.

    Safe to run any number of times: products already there (and their possibly edited
    prices and stock) are kept.
    """
    return await ProductRepository(session).insert_missing(standard_catalog())


async def _existing(session: AsyncSession, code: str) -> Product:
    product = await ProductRepository(session).get(code, for_update=True)
    if product is None:
        raise CatalogEditError(
            f"There is no product '{code}'; 'python -m billing catalog list' shows the codes."
        )
    return product


async def set_price(session: AsyncSession, code: str, *, net_minor: int) -> Product:
    """Change the net price of ``code``; orders already placed keep theirs."""
    if net_minor < 0:
        raise CatalogEditError(f"A price cannot be negative; got {net_minor} cents.")
    product = await _existing(session, code)
    product.net_minor = net_minor
    await session.flush()
    return product


async def set_stock(session: AsyncSession, code: str, *, stock: int) -> Product:
    """Set the units of a tool available to sell (units reserved by unpaid orders are not
    counted and come back if those orders expire)."""
    if stock < 0:
        raise CatalogEditError(f"Stock cannot be negative; got {stock}.")
    product = await _existing(session, code)
    if product.kind != ProductKind.TOOL:
        raise CatalogEditError(f"'{code}' is a pass; only tools (TOOL_...) have stock.")
    product.stock_available = stock
    await session.flush()
    return product


async def add_tool(
    session: AsyncSession,
    code: str,
    *,
    name: str,
    net_minor: int,
    weight_grams: int,
    stock: int,
    description: str = "",
) -> Product:
    """A new tool on sale. Raises CatalogEditError for a bad or taken code or bad numbers."""
    if not TOOL_CODE.fullmatch(code):
        raise CatalogEditError(
            f"'{code}' is not a tool code: use TOOL_ followed by capital letters, digits or _ "
            "(for example TOOL_TORQUE_WRENCH)."
        )
    if not name.strip():
        raise CatalogEditError("Give the tool a name (--name).")
    if net_minor < 0 or stock < 0 or weight_grams <= 0:
        raise CatalogEditError(
            "Price and stock must not be negative and the weight must be at least 1 g."
        )
    repository = ProductRepository(session)
    if await repository.get(code) is not None:
        raise CatalogEditError(f"'{code}' exists already; change it with set-price or set-stock.")
    return await repository.add(
        Product(
            code=code,
            kind=ProductKind.TOOL.value,
            scope=None,
            name=name.strip(),
            description=description.strip(),
            duration_seconds=None,
            net_minor=net_minor,
            currency=CURRENCY,
            stock_available=stock,
            weight_grams=weight_grams,
            position=await repository.next_position(),
        )
    )
