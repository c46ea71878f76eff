"""The organisation's choice of expiry warnings by e-mail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from billing.api.usage_schemas import ExpiryNotificationRead, ExpiryNotificationUpdate
from billing.services import expiry
from servicekit.auth import Principal
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses
from servicekit.roles import Role, role_check

router = APIRouter(prefix="/notifications", tags=["notifications"])

# Owners and admins decide what the organisation is mailed.
Manager = Annotated[Principal, Depends(role_check(Role.OWNER, Role.ADMIN))]


@router.get(
    "/expiry",
    summary="Whether the invoice address is mailed before a pass ends, and how early",
    responses=problem_responses(UnauthorizedError),
)
async def get_expiry_notification(
    principal: Manager, session: SessionDep
) -> ExpiryNotificationRead:
    chosen = await expiry.notification_setting(session, principal.organization_id)
    return ExpiryNotificationRead(email=chosen.email, hours_before=chosen.hours_before)


@router.put(
    "/expiry",
    summary="Turn the expiry e-mail on or off and choose how many hours before the end",
    responses=problem_responses(UnauthorizedError),
)
async def put_expiry_notification(
    body: ExpiryNotificationUpdate, principal: Manager, session: SessionDep
) -> ExpiryNotificationRead:
    chosen = await expiry.save_notification_setting(
        session,
        principal.organization_id,
        email=body.email,
        hours_before=body.hours_before,
        by=principal.user_id,
    )
    return ExpiryNotificationRead(email=chosen.email, hours_before=chosen.hours_before)
