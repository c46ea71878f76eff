"""An organisation's members: list, change role, deactivate, reactivate, remove.

Every change runs under the organisation's row lock (MemberRepository.lock_organization), so
the rule that an organisation keeps at least one active owner holds under concurrent requests.
Permissions are decided on the caller's role as stored now, not as the access token says: a
token may be up to its lifetime older than a demotion.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.members import MemberRepository
from identity.db.models import Organization, User
from identity.domain.members import ERASED_NAME, MEMBER_MANAGERS, erased_email, may_manage
from identity.errors import AccountNotFoundError
from identity.events.publishing import record_member_deactivated, record_member_role_changed
from identity.member_errors import (
    AccountDeactivatedError,
    LastOwnerError,
    MemberNotFoundError,
    OrganizationClosedError,
    OwnerRoleRequiredError,
)
from servicekit.auth import Principal
from servicekit.roles import ALL_ROLES, Role, RoleForbiddenError

__all__ = [
    "Actor",
    "change_role",
    "deactivate_member",
    "erase_member",
    "list_members",
    "load_actor",
    "reactivate_member",
    "remove_member",
]


@dataclass(frozen=True)
class Actor:
    """The signed-in member acting, and their organisation (row-locked when ``locked``)."""

    user: User
    organization: Organization


async def load_actor(
    session: AsyncSession,
    principal: Principal,
    *,
    roles: frozenset[str] = MEMBER_MANAGERS,
    lock: bool = True,
) -> Actor:
    """The caller as stored now, checked to be active, in an open organisation and holding one
    of ``roles``; with ``lock`` the organisation row is locked for the transaction.

    Raises AccountNotFoundError, AccountDeactivatedError, OrganizationClosedError,
    RoleForbiddenError.
    """
    members = MemberRepository(session)
    if lock:
        organization = await members.lock_organization(principal.organization_id)
    else:
        organization = await session.get(Organization, principal.organization_id)
    user = (
        None
        if organization is None
        else await members.get(principal.user_id, organization_id=organization.id)
    )
    if organization is None or user is None:
        raise AccountNotFoundError(
            "The account of this access token no longer exists in its organisation; log in again."
        )
    if organization.closed_at is not None:
        raise OrganizationClosedError("This organisation was closed; nothing can be changed.")
    if not user.active:
        raise AccountDeactivatedError(
            "Your account is deactivated: an owner or admin of your workshop can reactivate it."
        )
    if user.role not in roles:
        names = ", ".join(role.value for role in ALL_ROLES if role in roles)
        raise RoleForbiddenError(
            f"Your role ({user.role}) may not do this; it is open to: {names}. Ask an owner or "
            "admin of your workshop if you need it.",
            required_roles=[role.value for role in ALL_ROLES if role in roles],
        )
    return Actor(user=user, organization=organization)


async def list_members(session: AsyncSession, principal: Principal) -> Sequence[User]:
    actor = await load_actor(session, principal, lock=False)
    return await MemberRepository(session).list(actor.organization.id)


async def _member(session: AsyncSession, actor: Actor, user_id: uuid.UUID) -> User:
    member = await MemberRepository(session).get(user_id, organization_id=actor.organization.id)
    if member is None:
        # Also for a member of another organisation: their existence is not ours to tell.
        raise MemberNotFoundError(f"There is no member {user_id} in your organisation.")
    return member


def _require_may_manage(actor: Actor, *, old_role: str, new_role: str | None = None) -> None:
    if not may_manage(actor.user.role, old_role=old_role, new_role=new_role):
        raise OwnerRoleRequiredError(
            "Only an owner may give the owner role or change, deactivate or remove an owner."
        )


async def _keep_an_owner(session: AsyncSession, actor: Actor, member: User, *, what: str) -> None:
    """Raise LastOwnerError unless another active owner stays besides ``member``."""
    if member.role != Role.OWNER or not member.active:
        return
    others = await MemberRepository(session).count_active_owners(
        actor.organization.id, excluding=member.id
    )
    if others == 0:
        raise LastOwnerError(
            f"{member.name} is the last active owner and cannot be {what}: make another member "
            "owner first.",
        )


async def change_role(
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID,
    *,
    role: Role,
    now: datetime,
) -> User:
    """Give a member another role (MemberRoleChanged); raises MemberNotFoundError,
    OwnerRoleRequiredError, LastOwnerError and what :func:`load_actor` raises."""
    actor = await load_actor(session, principal)
    member = await _member(session, actor, user_id)
    if member.role == role:
        return member
    _require_may_manage(actor, old_role=member.role, new_role=role)
    await _keep_an_owner(session, actor, member, what="given another role")
    old_role = member.role
    member.role = role.value
    await record_member_role_changed(
        session,
        member,
        old_role=old_role,
        changed_by=actor.user.id,
        changed_at=now,
    )
    return member


async def deactivate_member(
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID,
    *,
    now: datetime,
) -> User:
    """Stop a member from logging in and end their logins (MemberDeactivated). Deactivating a
    deactivated member changes nothing."""
    actor = await load_actor(session, principal)
    member = await _member(session, actor, user_id)
    _require_may_manage(actor, old_role=member.role)
    if not member.active:
        return member
    await _keep_an_owner(session, actor, member, what="deactivated")
    member.deactivated_at = now
    await MemberRepository(session).revoke_refresh_tokens(member.id, now=now)
    await record_member_deactivated(
        session,
        member,
        deactivated_by=actor.user.id,
        removed=False,
        deactivated_at=now,
    )
    return member


async def reactivate_member(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID
) -> User:
    """Let a deactivated member log in again (with their password and TOTP as before)."""
    actor = await load_actor(session, principal)
    member = await _member(session, actor, user_id)
    _require_may_manage(actor, old_role=member.role)
    member.deactivated_at = None
    return member


async def erase_member(session: AsyncSession, member: User, *, now: datetime) -> None:
    """Deactivate the member, end their logins and erase their personal data: name, e-mail,
    password and TOTP are gone, the anonymised row stays for what refers to it."""
    members = MemberRepository(session)
    await members.revoke_refresh_tokens(member.id, now=now)
    await members.drop_credentials(member.id)
    member.name = ERASED_NAME
    member.email = erased_email(member.id)
    member.password_hash = None
    member.totp_secret_sealed = None
    member.totp_pending_secret_sealed = None
    member.totp_enabled_at = None
    member.totp_last_step = None
    member.last_login_at = None
    member.deactivated_at = member.deactivated_at or now
    member.removed_at = now


async def remove_member(
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID,
    *,
    now: datetime,
) -> None:
    """Remove a member and erase their personal data (MemberDeactivated, removed)."""
    actor = await load_actor(session, principal)
    member = await _member(session, actor, user_id)
    _require_may_manage(actor, old_role=member.role)
    await _keep_an_owner(session, actor, member, what="removed")
    await erase_member(session, member, now=now)
    await record_member_deactivated(
        session,
        member,
        deactivated_by=actor.user.id,
        removed=True,
        deactivated_at=now,
    )
