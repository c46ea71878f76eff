"""Checkout: a quote for a cart, then the confirmed order and its payment."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from billing.api.checkout_schemas import (
    CheckoutBody,
    CheckoutRead,
    CheckoutStartedPayment,
    QuoteBody,
    QuoteRead,
)
from billing.api.deps import (
    Buyer,
    IdempotencyKeyDep,
    PaymentProviderDep,
    RefundPolicyDep,
    SellerTermsDep,
)
from billing.api.idempotent import respond_once
from billing.api.schemas import OrderRead
from billing.errors import (
    CheckoutInvalidError,
    CompanyAddressMissingError,
    CompanyDataMissingError,
    IdempotencyKeyInvalidError,
    IdempotencyKeyMissingError,
    IdempotencyKeyReusedError,
    OutOfStockError,
    TermsNotAcceptedError,
    TermsOutdatedError,
)
from billing.services import checkout, orders
from billing.services.payments import start_checkout_payment
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses

router = APIRouter(prefix="/checkout", tags=["checkout"])


@router.post(
    "/quote",
    summary="Price a cart for the organisation: lines, VAT, shipping, pass windows, terms",
    responses=problem_responses(
        UnauthorizedError,
        CompanyDataMissingError,
        CompanyAddressMissingError,
        CheckoutInvalidError,
    ),
)
async def quote(
    body: QuoteBody, principal: Buyer, session: SessionDep, terms: SellerTermsDep
) -> QuoteRead:
    priced = await checkout.quote(
        session, principal.organization_id, body.to_cart(), terms=terms, now=datetime.now(UTC)
    )
    return QuoteRead.of(priced)


@router.post(
    "",
    status_code=201,
    response_model=CheckoutRead,
    summary="Place the cart as an order (terms accepted, takes an Idempotency-Key) and pay",
    responses=problem_responses(
        IdempotencyKeyMissingError,
        IdempotencyKeyInvalidError,
        UnauthorizedError,
        TermsNotAcceptedError,
        TermsOutdatedError,
        OutOfStockError,
        CompanyDataMissingError,
        CompanyAddressMissingError,
        IdempotencyKeyReusedError,
        CheckoutInvalidError,
    ),
)
async def place_order(
    body: CheckoutBody,
    request: Request,
    principal: Buyer,
    session: SessionDep,
    terms: SellerTermsDep,
    policy: RefundPolicyDep,
    provider: PaymentProviderDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    async def produce() -> CheckoutRead:
        now = datetime.now(UTC)
        order = await checkout.place_order(
            session,
            principal,
            body.to_cart(),
            accept_terms=body.accept_terms,
            terms_version=body.terms_version,
            terms=terms,
            now=now,
        )
        payment = await start_checkout_payment(
            session, principal, order, provider=provider, idempotency_key=idempotency_key
        )
        view = await orders.get_order_view(
            session, principal.organization_id, order.id, now=now, policy=policy
        )
        return CheckoutRead(
            order=OrderRead.of(view),
            payment=None
            if payment is None
            else CheckoutStartedPayment(payment_id=payment.payment_id, status=payment.status),
        )

    return await respond_once(
        session,
        principal,
        request=request,
        key=idempotency_key,
        payload=body.model_dump(mode="json"),
        status_code=201,
        produce=produce,
    )
