"""The organisation's passes and how long they last."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from billing.api.deps import IdempotencyKeyDep, Manager, Member, RefundPolicyDep
from billing.api.idempotent import respond_once
from billing.api.schemas import (
    CreditNoteRef,
    EntitlementList,
    EntitlementRead,
    EntitlementSummaryRead,
    RefundRead,
    ScopeSummaryRead,
    VinPassRead,
)
from billing.errors import (
    AlreadyRefundedError,
    EntitlementNotFoundError,
    IdempotencyKeyInvalidError,
    IdempotencyKeyMissingError,
    IdempotencyKeyReusedError,
    PassUsedError,
    RefundPeriodOverError,
)
from billing.services import entitlements, refunds
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses

router = APIRouter(prefix="/entitlements", tags=["entitlements"])


@router.get(
    "",
    summary="The organisation's entitlements, latest first",
    responses=problem_responses(UnauthorizedError),
)
async def list_entitlements(
    principal: Member,
    session: SessionDep,
    active: Annotated[
        bool | None,
        Query(description="true: only windows covering now; false: only past or queued ones"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> EntitlementList:
    now = datetime.now(UTC)
    found = await entitlements.list_entitlements(
        session, principal.organization_id, now=now, active=active, limit=limit
    )
    return EntitlementList(items=[EntitlementRead.of(e, now=now) for e in found])


@router.get(
    "/summary",
    summary="Per scope: until when access runs without interruption",
    responses=problem_responses(UnauthorizedError),
)
async def entitlement_summary(principal: Member, session: SessionDep) -> EntitlementSummaryRead:
    now = datetime.now(UTC)
    coverage = await entitlements.summarize(session, principal.organization_id, now=now)
    vin_passes = await entitlements.summarize_vin_passes(
        session, principal.organization_id, now=now
    )
    return EntitlementSummaryRead(
        as_of=now,
        scopes=[ScopeSummaryRead.of(item, now=now) for item in coverage],
        vin_passes=[VinPassRead.of(item) for item in vin_passes],
    )


@router.post(
    "/{entitlement_id}/refund",
    response_model=RefundRead,
    summary="Cancel a pass never used, within the refund period (takes an Idempotency-Key)",
    responses=problem_responses(
        IdempotencyKeyMissingError,
        IdempotencyKeyInvalidError,
        UnauthorizedError,
        EntitlementNotFoundError,
        PassUsedError,
        RefundPeriodOverError,
        AlreadyRefundedError,
        IdempotencyKeyReusedError,
    ),
)
async def refund(
    entitlement_id: uuid.UUID,
    request: Request,
    principal: Manager,
    session: SessionDep,
    policy: RefundPolicyDep,
    idempotency_key: IdempotencyKeyDep,
) -> JSONResponse:
    async def produce() -> RefundRead:
        refund = await refunds.refund_entitlement(
            session, principal, entitlement_id, now=datetime.now(UTC), policy=policy
        )
        credit_note = refund.credit_note
        return RefundRead(
            entitlement_id=refund.entitlement.id,
            credit_note=(
                None
                if credit_note is None
                else CreditNoteRef(id=credit_note.id, number=credit_note.number)
            ),
        )

    return await respond_once(
        session,
        principal,
        request=request,
        key=idempotency_key,
        payload=None,
        status_code=200,
        produce=produce,
    )
