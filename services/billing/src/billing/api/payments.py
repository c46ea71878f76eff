"""Paying an order, and the payment provider's webhook."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from billing.api.deps import Buyer, IdempotencyKeyDep, PaymentProviderDep, SettingsDep
from billing.api.idempotent import respond_once
from billing.api.schemas import PaymentCallbackBody, PaymentRead, WebhookAck
from billing.domain.orders import PaymentOutcome
from billing.domain.signatures import SIGNATURE_HEADER
from billing.errors import (
    IdempotencyKeyInvalidError,
    IdempotencyKeyMissingError,
    IdempotencyKeyReusedError,
    InvalidSignatureError,
    OrderAlreadyPaidError,
    OrderNotFoundError,
    PaymentAmountMismatchError,
    PaymentInProgressError,
    PaymentNotRecognisedError,
    PaymentProviderUnavailableError,
)
from billing.services import payments
from billing.services.invoicing import seller_party
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses

router = APIRouter(tags=["payments"])


@router.post(
    "/orders/{order_id}/payment",
    status_code=202,
    response_model=PaymentRead,
    summary="Pay an order (takes an Idempotency-Key); the result arrives asynchronously",
    responses=problem_responses(
        IdempotencyKeyMissingError,
        IdempotencyKeyInvalidError,
        UnauthorizedError,
        OrderNotFoundError,
        OrderAlreadyPaidError,
        PaymentInProgressError,
        IdempotencyKeyReusedError,
        PaymentProviderUnavailableError,
    ),
)
async def pay_order(
    order_id: uuid.UUID,
    request: Request,
    principal: Buyer,
    session: SessionDep,
    provider: PaymentProviderDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    async def produce() -> PaymentRead:
        order, payment = await payments.start_payment(
            session, principal, order_id, provider=provider, idempotency_key=idempotency_key
        )
        return PaymentRead(payment_id=payment.payment_id, status=payment.status, order_id=order.id)

    return await respond_once(
        session,
        principal,
        request=request,
        key=idempotency_key,
        payload=None,
        status_code=202,
        produce=produce,
    )


def _parse_callback(body: bytes) -> PaymentCallbackBody:
    try:
        return PaymentCallbackBody.model_validate_json(body)
    except ValidationError as exc:
        # Rendered like any request validation error: 400 for broken JSON, 422 for fields.
        raise RequestValidationError(exc.errors(include_url=False)) from exc


_CALLBACK_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": PaymentCallbackBody.model_json_schema()}},
    },
    "parameters": [
        {
            "name": SIGNATURE_HEADER,
            "in": "header",
            "required": True,
            "description": 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">',
            "schema": {"type": "string"},
        }
    ],
}


@router.post(
    "/payments/webhook",
    summary="Payment provider callback (authenticated by its signature, not by a token)",
    responses=problem_responses(
        InvalidSignatureError,
        OrderNotFoundError,
        PaymentNotRecognisedError,
        PaymentAmountMismatchError,
    ),
    openapi_extra=_CALLBACK_SCHEMA,
)
async def payment_webhook(
    request: Request, session: SessionDep, settings: SettingsDep, background: BackgroundTasks
) -> WebhookAck:
    body = await request.body()
    # Authenticity first: nothing of an unsigned body is parsed.
    payments.authenticate_callback(
        body,
        request.headers.get(SIGNATURE_HEADER),
        secret=settings.payment_webhook_secret.get_secret_value().encode(),
        now=int(time.time()),
        tolerance_seconds=settings.payment_webhook_tolerance_seconds,
    )
    parsed = _parse_callback(body)
    result = await payments.apply_callback(
        session,
        payments.PaymentCallback(
            payment_id=parsed.payment_id,
            order_reference=parsed.order_reference,
            outcome=PaymentOutcome(parsed.status),
            amount_minor=parsed.amount_minor,
            currency=parsed.currency,
        ),
        now=datetime.now(UTC),
        seller=seller_party(settings),
    )
    if result.invoice is not None:
        # The mail sender finds the invoice on its next poll anyway; waking it after the
        # response (so after the commit) sends it at once.
        sender = getattr(request.app.state, "invoice_mail_sender", None)
        if sender is not None:
            background.add_task(sender.wake)
    return WebhookAck(
        order_id=result.order.id, order_status=result.order.status, changed=result.changed
    )
