"""The organisation's members: list, change role, deactivate, reactivate, remove."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from identity.api.member_deps import ClockDep, Managers
from identity.api.member_schemas import MemberList, MemberRead, MemberUpdate
from identity.db.models import User
from identity.errors import AccountNotFoundError
from identity.member_errors import (
    AccountDeactivatedError,
    LastOwnerError,
    MemberNotFoundError,
    OrganizationClosedError,
    OwnerRoleRequiredError,
)
from identity.services import members
from servicekit.auth import InvalidTokenError
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses
from servicekit.roles import Role, RoleForbiddenError

router = APIRouter(prefix="/organizations/current/members", tags=["members"])

_CALLER_ERRORS = (
    UnauthorizedError,
    InvalidTokenError,
    RoleForbiddenError,
    AccountDeactivatedError,
    AccountNotFoundError,
    OrganizationClosedError,
)
_CHANGE_ERRORS = (*_CALLER_ERRORS, MemberNotFoundError, OwnerRoleRequiredError, LastOwnerError)


def _read(user: User) -> MemberRead:
    return MemberRead(
        id=user.id,
        name=user.name,
        email=user.email,
        role=Role(user.role),
        totp_enabled=user.totp_enabled,
        last_login_at=user.last_login_at,
        active=user.active,
        deactivated_at=user.deactivated_at,
    )


@router.get(
    "",
    summary="The members of your organisation",
    responses=problem_responses(*_CALLER_ERRORS),
)
async def list_members(principal: Managers, session: SessionDep) -> MemberList:
    found = await members.list_members(session, principal)
    return MemberList(items=[_read(user) for user in found])


@router.patch(
    "/{user_id}",
    summary="Give a member another role",
    description="Only an owner may give or take away the owner role; the last active owner "
    "keeps it (409 last-owner).",
    responses=problem_responses(*_CHANGE_ERRORS),
)
async def change_role(
    user_id: uuid.UUID,
    body: MemberUpdate,
    principal: Managers,
    session: SessionDep,
    clock: ClockDep,
) -> MemberRead:
    member = await members.change_role(session, principal, user_id, role=body.role, now=clock())
    return _read(member)


@router.post(
    "/{user_id}/deactivate",
    summary="Stop a member from logging in, and end their logins now",
    responses=problem_responses(*_CHANGE_ERRORS),
)
async def deactivate_member(
    user_id: uuid.UUID,
    principal: Managers,
    session: SessionDep,
    clock: ClockDep,
) -> MemberRead:
    member = await members.deactivate_member(session, principal, user_id, now=clock())
    return _read(member)


@router.post(
    "/{user_id}/reactivate",
    summary="Let a deactivated member log in again",
    responses=problem_responses(*_CHANGE_ERRORS),
)
async def reactivate_member(
    user_id: uuid.UUID, principal: Managers, session: SessionDep
) -> MemberRead:
    return _read(await members.reactivate_member(session, principal, user_id))


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a member and erase their personal data",
    responses=problem_responses(*_CHANGE_ERRORS),
)
async def remove_member(
    user_id: uuid.UUID,
    principal: Managers,
    session: SessionDep,
    clock: ClockDep,
) -> None:
    await members.remove_member(session, principal, user_id, now=clock())
