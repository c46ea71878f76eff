"""Invitations: owners and admins invite by e-mail; the invited person accepts (public)."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, status

from identity.api.deps import SettingsDep, wake_mail_sender
from identity.api.member_deps import ClockDep, Managers
from identity.api.member_schemas import (
    InvitationAcceptanceRead,
    InvitationAcceptCreate,
    InvitationCreate,
    InvitationList,
    InvitationPreviewRead,
    InvitationRead,
    InvitationTokenCreate,
)
from identity.db.models import Invitation
from identity.domain.members import invitation_state
from identity.errors import AccountNotFoundError
from identity.member_errors import (
    AccountDeactivatedError,
    EmailTakenError,
    InvitationExpiredError,
    InvitationNotFoundError,
    InvitationPendingError,
    InvitationRevokedError,
    InvitationUsedError,
    OrganizationClosedError,
    OwnerRoleRequiredError,
)
from identity.services import invitations
from servicekit.auth import InvalidTokenError
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses
from servicekit.roles import Role, RoleForbiddenError

router = APIRouter(tags=["invitations"])


_CALLER_ERRORS = (
    UnauthorizedError,
    InvalidTokenError,
    RoleForbiddenError,
    AccountDeactivatedError,
    AccountNotFoundError,
    OrganizationClosedError,
)
_REDEEM_ERRORS = (
    InvitationNotFoundError,
    InvitationUsedError,
    InvitationExpiredError,
    InvitationRevokedError,
)


def _read(invitation: Invitation, *, now: datetime) -> InvitationRead:
    return InvitationRead(
        id=invitation.id,
        email=invitation.email,
        role=Role(invitation.role),
        state=invitation_state(
            accepted_at=invitation.accepted_at,
            revoked_at=invitation.revoked_at,
            expires_at=invitation.expires_at,
            now=now,
        ),
        invited_by=invitation.invited_by,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        accepted_at=invitation.accepted_at,
        revoked_at=invitation.revoked_at,
    )


@router.post(
    "/organizations/current/invitations",
    status_code=status.HTTP_201_CREATED,
    summary="Invite someone by e-mail to join your organisation",
    description="The mail's link works once and for 7 days. Only an owner may invite an owner.",
    responses=problem_responses(
        *_CALLER_ERRORS, OwnerRoleRequiredError, EmailTakenError, InvitationPendingError
    ),
    dependencies=[Depends(wake_mail_sender)],
)
async def create_invitation(
    body: InvitationCreate,
    principal: Managers,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> InvitationRead:
    now = clock()
    invitation = await invitations.invite_member(
        session, principal, email=body.email, role=body.role, settings=settings, now=now
    )
    return _read(invitation, now=now)


@router.get(
    "/organizations/current/invitations",
    summary="Your organisation's invitations (pending, expired, accepted, revoked)",
    responses=problem_responses(*_CALLER_ERRORS),
)
async def list_invitations(
    principal: Managers, session: SessionDep, clock: ClockDep
) -> InvitationList:
    now = clock()
    found = await invitations.list_invitations(session, principal)
    return InvitationList(items=[_read(invitation, now=now) for invitation in found])


@router.post(
    "/organizations/current/invitations/{invitation_id}/resend",
    summary="Send the invitation again with a new link (the old one stops working)",
    responses=problem_responses(
        *_CALLER_ERRORS,
        InvitationNotFoundError,
        InvitationUsedError,
        InvitationRevokedError,
        OwnerRoleRequiredError,
        EmailTakenError,
    ),
    dependencies=[Depends(wake_mail_sender)],
)
async def resend_invitation(
    invitation_id: uuid.UUID,
    principal: Managers,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> InvitationRead:
    now = clock()
    invitation = await invitations.resend_invitation(
        session, principal, invitation_id, settings=settings, now=now
    )
    return _read(invitation, now=now)


async def _revoke(
    invitation_id: uuid.UUID, principal: Managers, session: SessionDep, clock: ClockDep
) -> InvitationRead:
    now = clock()
    invitation = await invitations.revoke_invitation(session, principal, invitation_id, now=now)
    return _read(invitation, now=now)


_REVOKE_ERRORS = problem_responses(
    *_CALLER_ERRORS, InvitationNotFoundError, InvitationUsedError, OwnerRoleRequiredError
)

router.add_api_route(
    "/organizations/current/invitations/{invitation_id}/revoke",
    _revoke,
    methods=["POST"],
    summary="Withdraw an invitation (its link stops working)",
    responses=_REVOKE_ERRORS,
    operation_id="revoke_invitation",
)
router.add_api_route(
    "/organizations/current/invitations/{invitation_id}",
    _revoke,
    methods=["DELETE"],
    summary="Withdraw an invitation (same as POST .../revoke)",
    responses=_REVOKE_ERRORS,
    operation_id="delete_invitation",
)


@router.post(
    "/invitations/preview",
    summary="What an invitation link offers (public: the token is the proof)",
    description=(
        "The token from the link goes in the body, never in a path: request paths are "
        "written to access logs. Nothing changes; the invitation stays pending."
    ),
    responses=problem_responses(*_REDEEM_ERRORS),
)
async def preview_invitation(
    body: InvitationTokenCreate, session: SessionDep, clock: ClockDep
) -> InvitationPreviewRead:
    preview = await invitations.preview_invitation(session, body.token, now=clock())
    return InvitationPreviewRead(
        organization_name=preview.organization_name,
        email=preview.email,
        role=Role(preview.role),
        expires_at=preview.expires_at,
    )


@router.post(
    "/invitations/accept",
    status_code=status.HTTP_201_CREATED,
    summary="Accept an invitation: create the account, then set up TOTP (public)",
    description=(
        "The e-mail counts as verified. Continue with POST /totp/enrolment and "
        "/totp/enrolment/confirm, sending 'Authorization: Bearer <enrolment_token>'; logging "
        "in works after that."
    ),
    responses=problem_responses(*_REDEEM_ERRORS, EmailTakenError),
)
async def accept_invitation(
    body: InvitationAcceptCreate,
    session: SessionDep,
    clock: ClockDep,
) -> InvitationAcceptanceRead:
    acceptance = await invitations.accept_invitation(
        session,
        body.token,
        name=body.name,
        password=body.password.get_secret_value(),
        now=clock(),
    )
    return InvitationAcceptanceRead(
        user_id=acceptance.user_id,
        organization_id=acceptance.organization_id,
        email=acceptance.email,
        enrolment_token=acceptance.enrolment_token,
        enrolment_expires_in=acceptance.enrolment_expires_in,
    )
