"""Public product catalog."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from billing.api.deps import SettingsDep
from billing.api.schemas import ProductList, ProductRead
from billing.errors import ProductNotFoundError
from billing.services import catalog
from servicekit.db import SessionDep
from servicekit.problems import problem_responses

router = APIRouter(prefix="/catalog", tags=["catalog"])


@router.get(
    "/products",
    summary="Passes and tools on sale, with indicative prices (the seller country's VAT)",
)
async def list_products(session: SessionDep, settings: SettingsDep) -> ProductList:
    products = await catalog.list_products(session)
    return ProductList(
        items=[
            ProductRead.of(p, catalog.product_price(p, seller_country=settings.seller_country))
            for p in products
        ]
    )


@router.get(
    "/products/{code}",
    summary="One product",
    responses=problem_responses(ProductNotFoundError),
)
async def get_product(
    code: Annotated[str, Path(min_length=1, max_length=64, examples=["AIR_1D"])],
    session: SessionDep,
    settings: SettingsDep,
) -> ProductRead:
    product = await catalog.get_product(session, code)
    return ProductRead.of(
        product, catalog.product_price(product, seller_country=settings.seller_country)
    )
