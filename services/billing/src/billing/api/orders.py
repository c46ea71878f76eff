"""Orders of the caller's organisation."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from billing.api.deps import Buyer, IdempotencyKeyDep, SettingsDep
from billing.api.idempotent import respond_once
from billing.api.schemas import OrderCreate, OrderList, OrderRead
from billing.errors import (
    IdempotencyKeyInvalidError,
    IdempotencyKeyMissingError,
    IdempotencyKeyReusedError,
    OrderNotFoundError,
    UnknownProductError,
)
from billing.services import orders
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses

router = APIRouter(prefix="/orders", tags=["orders"])


@router.post(
    "",
    status_code=201,
    response_model=OrderRead,
    summary="Order a pass (takes an Idempotency-Key)",
    responses=problem_responses(
        IdempotencyKeyMissingError,
        IdempotencyKeyInvalidError,
        UnauthorizedError,
        IdempotencyKeyReusedError,
        UnknownProductError,
    ),
)
async def create_order(
    body: OrderCreate,
    request: Request,
    principal: Buyer,
    session: SessionDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    async def produce() -> OrderRead:
        order = await orders.place_order(
            session,
            principal,
            product_code=body.product_code,
            vat_rate_percent=settings.vat_rate_percent,
        )
        return OrderRead.of(order)

    return await respond_once(
        session,
        principal,
        request=request,
        key=idempotency_key,
        payload=body.model_dump(mode="json"),
        status_code=201,
        produce=produce,
    )


@router.get("", summary="The organisation's orders, newest first")
async def list_orders(
    principal: Buyer,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> OrderList:
    found = await orders.list_orders(session, principal.organization_id, limit=limit, offset=offset)
    return OrderList(items=[OrderRead.of(order) for order in found])


@router.get(
    "/{order_id}",
    summary="One order of the organisation",
    responses=problem_responses(UnauthorizedError, OrderNotFoundError),
)
async def get_order(order_id: uuid.UUID, principal: Buyer, session: SessionDep) -> OrderRead:
    return OrderRead.of(await orders.get_order(session, principal.organization_id, order_id))
