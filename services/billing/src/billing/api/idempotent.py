"""Running a purchase endpoint at most once per idempotency key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from billing.domain.idempotency import REPLAYED_HEADER, request_fingerprint
from billing.services import idempotency
from servicekit.auth import Principal

__all__ = ["respond_once"]


async def respond_once(
    session: AsyncSession,
    principal: Principal,
    *,
    request: Request,
    key: str,
    payload: Any,
    status_code: int,
    produce: Callable[[], Awaitable[BaseModel]],
) -> JSONResponse:
    """The stored answer when this request was made with ``key`` before, else the answer of
    ``produce()``, stored with the key in the same transaction.

    Raises IdempotencyKeyReusedError when ``key`` was used for another request (a different
    method, path or ``payload``); whatever ``produce`` raises rolls the claim back with
    everything else, so a request that failed can be retried with the same key.
    """
    fingerprint = request_fingerprint(method=request.method, path=request.url.path, payload=payload)
    stored = await idempotency.claim_key(
        session,
        organization_id=principal.organization_id,
        user_id=principal.user_id,
        key=key,
        fingerprint=fingerprint,
    )
    if stored is not None:
        return JSONResponse(
            stored.body, status_code=stored.status, headers={REPLAYED_HEADER: "true"}
        )
    body = (await produce()).model_dump(mode="json")
    await idempotency.store_response(
        session,
        organization_id=principal.organization_id,
        key=key,
        status=status_code,
        body=body,
    )
    return JSONResponse(body, status_code=status_code)
