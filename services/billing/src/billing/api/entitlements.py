"""The organisation's passes and how long they last."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from billing.api.deps import Member
from billing.api.schemas import (
    EntitlementList,
    EntitlementRead,
    EntitlementSummaryRead,
    ScopeSummaryRead,
)
from billing.services import entitlements
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
    return EntitlementSummaryRead(
        as_of=now, scopes=[ScopeSummaryRead.of(item, now=now) for item in coverage]
    )
