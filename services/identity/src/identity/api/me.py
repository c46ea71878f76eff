"""GET /me: who the access token belongs to."""

from __future__ import annotations

from fastapi import APIRouter

from identity.api.member_deps import AnyMember
from identity.api.schemas import MeRead, OrganizationRead, UserRead
from identity.errors import AccountNotFoundError
from identity.services.profile import get_profile
from servicekit.auth import InvalidTokenError
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses
from servicekit.roles import RoleForbiddenError

router = APIRouter(tags=["account"])


@router.get(
    "/me",
    summary="The signed-in user and their organisation",
    responses=problem_responses(
        UnauthorizedError, InvalidTokenError, RoleForbiddenError, AccountNotFoundError
    ),
)
async def read_me(principal: AnyMember, session: SessionDep) -> MeRead:
    user, organization = await get_profile(session, principal)
    return MeRead(
        user=UserRead(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            email_verified=user.email_verified,
            totp_enabled=user.totp_enabled,
        ),
        organization=OrganizationRead(
            id=organization.id,
            name=organization.name,
            country=organization.country,
            vat_id=organization.vat_id,
        ),
    )
