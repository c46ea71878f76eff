"""Orders of the caller's organisation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from billing.api.deps import Buyer, IdempotencyKeyDep, RefundPolicyDep, SellerTermsDep
from billing.api.idempotent import respond_once
from billing.api.schemas import OrderCreate, OrderList, OrderRead
from billing.errors import (
    CheckoutInvalidError,
    CompanyAddressMissingError,
    CompanyDataMissingError,
    IdempotencyKeyInvalidError,
    IdempotencyKeyMissingError,
    IdempotencyKeyReusedError,
    OrderNotFoundError,
    OutOfStockError,
)
from billing.services import checkout, orders
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses

router = APIRouter(prefix="/orders", tags=["orders"])


@router.post(
    "",
    status_code=201,
    response_model=OrderRead,
    summary=(
        "Order one product without the checkout dialogue (partners' integrations; accepts "
        "the current terms of sale; takes an Idempotency-Key; pay with /orders/{id}/payment)"
    ),
    responses=problem_responses(
        IdempotencyKeyMissingError,
        IdempotencyKeyInvalidError,
        UnauthorizedError,
        OutOfStockError,
        CompanyDataMissingError,
        CompanyAddressMissingError,
        IdempotencyKeyReusedError,
        CheckoutInvalidError,
    ),
)
async def create_order(
    body: OrderCreate,
    request: Request,
    principal: Buyer,
    session: SessionDep,
    terms: SellerTermsDep,
    policy: RefundPolicyDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    async def produce() -> OrderRead:
        now = datetime.now(UTC)
        cart = checkout.Cart(
            lines=(checkout.CartLine(body.product_code, quantity=body.quantity, vin=body.vin),)
        )
        order = await checkout.place_order(
            session,
            principal,
            cart,
            # A partner accepts the terms of sale in its contract, not per order.
            accept_terms=True,
            terms_version=terms.terms_version,
            terms=terms,
            now=now,
        )
        view = await orders.get_order_view(
            session, principal.organization_id, order.id, now=now, policy=policy
        )
        return OrderRead.of(view)

    return await respond_once(
        session,
        principal,
        request=request,
        key=idempotency_key,
        payload=body.model_dump(mode="json"),
        status_code=201,
        produce=produce,
    )


@router.get(
    "",
    summary="The organisation's orders, newest first",
    responses=problem_responses(UnauthorizedError),
)
async def list_orders(
    principal: Buyer,
    session: SessionDep,
    policy: RefundPolicyDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> OrderList:
    views = await orders.list_order_views(
        session,
        principal.organization_id,
        limit=limit,
        offset=offset,
        now=datetime.now(UTC),
        policy=policy,
    )
    return OrderList(items=[OrderRead.of(view) for view in views])


@router.get(
    "/{order_id}",
    summary="One order of the organisation, with its lines, tax, shipping and fulfilment",
    responses=problem_responses(UnauthorizedError, OrderNotFoundError),
)
async def get_order(
    order_id: uuid.UUID, principal: Buyer, session: SessionDep, policy: RefundPolicyDep
) -> OrderRead:
    view = await orders.get_order_view(
        session, principal.organization_id, order_id, now=datetime.now(UTC), policy=policy
    )
    return OrderRead.of(view)
