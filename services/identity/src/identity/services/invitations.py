"""Inviting members by e-mail, and accepting an invitation.

The link carries a token of which only the SHA-256 is stored; it works once and for
:data:`~identity.domain.members.INVITATION_TTL`. A resend replaces the token, so the old link
dies. Accepting creates the account with the e-mail counted as verified (the link proved it)
and hands out an enrolment token: the new member sets up TOTP exactly as a new owner does, and
cannot log in before.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from identity.config import Settings
from identity.db.accounts import UserRepository
from identity.db.credentials import UserTokenRepository
from identity.db.mail import OutgoingMailRepository
from identity.db.members import InvitationRepository
from identity.db.models import Invitation, Organization, User, UserTokenPurpose
from identity.domain.member_mail import invitation_mail
from identity.domain.members import INVITATION_TTL, InvitationState, invitation_state
from identity.domain.passwords import hash_password
from identity.domain.tokens import ENROLMENT_TOKEN_TTL, hash_token, new_token
from identity.events.publishing import record_member_invited, record_member_joined
from identity.member_errors import (
    EmailTakenError,
    InvitationExpiredError,
    InvitationNotFoundError,
    InvitationPendingError,
    InvitationRevokedError,
    InvitationUsedError,
    OwnerRoleRequiredError,
)
from identity.services.members import load_actor
from servicekit.auth import Principal
from servicekit.problems import ProblemError
from servicekit.roles import Role

__all__ = [
    "Acceptance",
    "InvitationPreview",
    "accept_invitation",
    "invite_member",
    "list_invitations",
    "preview_invitation",
    "resend_invitation",
    "revoke_invitation",
]


@dataclass(frozen=True)
class InvitationPreview:
    organization_name: str
    email: str
    role: str
    expires_at: datetime


@dataclass(frozen=True)
class Acceptance:
    user_id: uuid.UUID
    organization_id: uuid.UUID
    email: str
    enrolment_token: str = field(repr=False)
    enrolment_expires_in: int


def _queue_mail(
    session: AsyncSession,
    invitation: Invitation,
    organization: Organization,
    *,
    token: str,
    settings: Settings,
) -> None:
    mail = invitation_mail(
        organization=organization.name,
        role=invitation.role,
        portal_url=settings.portal_url,
        token=token,
        expires_at=invitation.expires_at,
    )
    OutgoingMailRepository(session).enqueue(
        recipient=invitation.email, subject=mail.subject, body=mail.body
    )


async def invite_member(
    session: AsyncSession,
    principal: Principal,
    *,
    email: str,
    role: Role,
    settings: Settings,
    now: datetime,
) -> Invitation:
    """Invite ``email`` (already normalised) with ``role``; queue the mail, record
    MemberInvited. Raises OwnerRoleRequiredError (an admin inviting an owner), EmailTakenError,
    InvitationPendingError and what :func:`~identity.services.members.load_actor` raises."""
    actor = await load_actor(session, principal)
    if role is Role.OWNER and actor.user.role != Role.OWNER:
        raise OwnerRoleRequiredError("Only an owner may invite someone as owner.")
    if await UserRepository(session).email_exists(email):
        # An account belongs to one organisation; the address must be free to join this one.
        raise EmailTakenError(
            f"{email} already has an AOS account, so it cannot be invited; invite another "
            "address of this person."
        )
    invitations = InvitationRepository(session)
    # The organisation row lock (load_actor) serialises invitations, so this check holds.
    if await invitations.open_for_email(actor.organization.id, email, now=now) is not None:
        raise InvitationPendingError(
            f"{email} already has a pending invitation; resend or revoke that one."
        )
    token = new_token()
    invitation = invitations.add(
        Invitation(
            id=uuid.uuid4(),
            organization_id=actor.organization.id,
            email=email,
            role=role.value,
            token_hash=hash_token(token),
            invited_by=actor.user.id,
            expires_at=now + INVITATION_TTL,
            created_at=now,
        )
    )
    _queue_mail(session, invitation, actor.organization, token=token, settings=settings)
    await record_member_invited(session, invitation, invited_at=now)
    return invitation


async def list_invitations(session: AsyncSession, principal: Principal) -> Sequence[Invitation]:
    actor = await load_actor(session, principal, lock=False)
    return await InvitationRepository(session).list(actor.organization.id)


def _state_error(state: InvitationState) -> ProblemError | None:
    if state is InvitationState.ACCEPTED:
        return InvitationUsedError("This invitation was already accepted; log in instead.")
    if state is InvitationState.REVOKED:
        return InvitationRevokedError(
            "This invitation was withdrawn; ask your workshop's owner or admin for a new one."
        )
    if state is InvitationState.EXPIRED:
        return InvitationExpiredError(
            "This invitation has expired; ask your workshop's owner or admin to send it again."
        )
    return None


async def _managed(
    session: AsyncSession, principal: Principal, invitation_id: uuid.UUID
) -> tuple[Invitation, Organization]:
    actor = await load_actor(session, principal)
    invitation = await InvitationRepository(session).get(
        invitation_id, organization_id=actor.organization.id
    )
    if invitation is None:
        raise InvitationNotFoundError(f"There is no invitation {invitation_id} in your workshop.")
    if invitation.role == Role.OWNER and actor.user.role != Role.OWNER:
        raise OwnerRoleRequiredError("Only an owner may resend or revoke an owner's invitation.")
    return invitation, actor.organization


async def resend_invitation(
    session: AsyncSession,
    principal: Principal,
    invitation_id: uuid.UUID,
    *,
    settings: Settings,
    now: datetime,
) -> Invitation:
    """A new link valid for another INVITATION_TTL; the old link stops working. Pending and
    expired invitations can be resent; raises InvitationUsedError, InvitationRevokedError,
    InvitationNotFoundError, EmailTakenError."""
    invitation, organization = await _managed(session, principal, invitation_id)
    state = invitation_state(
        accepted_at=invitation.accepted_at,
        revoked_at=invitation.revoked_at,
        expires_at=invitation.expires_at,
        now=now,
    )
    if state in (InvitationState.ACCEPTED, InvitationState.REVOKED):
        error = _state_error(state)
        assert error is not None
        raise error
    if await UserRepository(session).email_exists(invitation.email):
        raise EmailTakenError(
            f"{invitation.email} has an AOS account by now; the invitation cannot be used."
        )
    token = new_token()
    invitation.token_hash = hash_token(token)
    invitation.expires_at = now + INVITATION_TTL
    _queue_mail(session, invitation, organization, token=token, settings=settings)
    await record_member_invited(session, invitation, invited_at=now)
    return invitation


async def revoke_invitation(
    session: AsyncSession, principal: Principal, invitation_id: uuid.UUID, *, now: datetime
) -> Invitation:
    """Withdraw the invitation (its link stops working); revoking twice changes nothing.
    Raises InvitationUsedError when it was accepted already, InvitationNotFoundError."""
    invitation, _ = await _managed(session, principal, invitation_id)
    if invitation.accepted_at is not None:
        raise InvitationUsedError(
            "This invitation was accepted already; deactivate or remove the member instead."
        )
    invitation.revoked_at = invitation.revoked_at or now
    return invitation


async def _redeemable(
    session: AsyncSession, token: str, *, now: datetime, for_update: bool
) -> tuple[Invitation, Organization]:
    invitation = await InvitationRepository(session).get_by_hash(
        hash_token(token), for_update=for_update
    )
    organization = (
        None if invitation is None else await session.get(Organization, invitation.organization_id)
    )
    if invitation is None or organization is None:
        raise InvitationNotFoundError(
            "This invitation link is not valid; check that the whole link was opened, or ask "
            "for a new invitation."
        )
    state = invitation_state(
        accepted_at=invitation.accepted_at,
        revoked_at=invitation.revoked_at,
        expires_at=invitation.expires_at,
        now=now,
    )
    error = _state_error(state)
    if error is not None:
        raise error
    return invitation, organization


async def preview_invitation(
    session: AsyncSession, token: str, *, now: datetime
) -> InvitationPreview:
    """What the invitation offers; raises InvitationNotFoundError (404) or, when it cannot be
    accepted any more, InvitationUsedError / InvitationRevokedError / InvitationExpiredError
    (410)."""
    invitation, organization = await _redeemable(session, token, now=now, for_update=False)
    return InvitationPreview(
        organization_name=organization.name,
        email=invitation.email,
        role=invitation.role,
        expires_at=invitation.expires_at,
    )


async def accept_invitation(
    session: AsyncSession,
    token: str,
    *,
    name: str,
    password: str,
    now: datetime,
) -> Acceptance:
    """Create the member's account (MemberJoined) and an enrolment token for setting up TOTP.

    Raises what :func:`preview_invitation` raises, and EmailTakenError when the address got an
    account since the invitation was sent.
    """
    # A dead link is refused before the password is hashed, so junk tokens cost no argon2
    # (~50 ms of CPU); the hash runs off the event loop and before the row is locked, and the
    # invitation is checked again under the lock.
    await _redeemable(session, token, now=now, for_update=False)
    password_hash = await asyncio.to_thread(hash_password, password)
    invitation, organization = await _redeemable(session, token, now=now, for_update=True)
    member = User(
        id=uuid.uuid4(),
        organization_id=organization.id,
        email=invitation.email,
        name=name,
        role=invitation.role,
        password_hash=password_hash,
        email_verified_at=now,
        created_at=now,
    )
    users = UserRepository(session)
    try:
        async with session.begin_nested():
            users.add(member)
            await users.flush()
    except IntegrityError:
        raise EmailTakenError(
            f"{invitation.email} got an AOS account since the invitation was sent; log in "
            "with it instead."
        ) from None
    invitation.accepted_at = now
    invitation.accepted_user_id = member.id
    enrolment_token = new_token()
    UserTokenRepository(session).add(
        user_id=member.id,
        purpose=UserTokenPurpose.TOTP_ENROLMENT,
        token_hash=hash_token(enrolment_token),
        expires_at=now + ENROLMENT_TOKEN_TTL,
    )
    await record_member_joined(session, member, invitation_id=invitation.id, joined_at=now)
    return Acceptance(
        user_id=member.id,
        organization_id=organization.id,
        email=member.email,
        enrolment_token=enrolment_token,
        enrolment_expires_in=int(ENROLMENT_TOKEN_TTL.total_seconds()),
    )
