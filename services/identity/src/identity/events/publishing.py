"""Writing identity events to the outbox, in the caller's transaction.

Topic ``identity.v1``; the Kafka key (aggregate id) is the organisation id for every event, so
an organisation's events keep their order for consumers.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1 import identity_pb2
from identity.db.models import Invitation, Organization, User
from servicekit.outbox import OutboxWriter

__all__ = [
    "IDENTITY_TOPIC",
    "record_member_deactivated",
    "record_member_invited",
    "record_member_joined",
    "record_member_role_changed",
    "record_organization_closed",
    "record_organization_updated",
    "record_registration",
]

IDENTITY_TOPIC = "identity.v1"
# Every identity event goes through this writer; the relay adds the namespace.
OUTBOX = OutboxWriter(topic=IDENTITY_TOPIC, source="identity")


def _timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


async def record_registration(
    session: AsyncSession,
    organization: Organization,
    owner: User,
    *,
    registered_at: datetime,
) -> None:
    """Record OrganizationRegistered, then UserRegistered for its owner."""
    aggregate_id = str(organization.id)
    await OUTBOX.record(
        session,
        identity_pb2.OrganizationRegistered(
            organization_id=str(organization.id),
            name=organization.name,
            country=organization.country,
            vat_id=organization.vat_id,
            registered_at=_timestamp(registered_at),
        ),
        aggregate_id=aggregate_id,
        occurred_at=registered_at,
    )
    await OUTBOX.record(
        session,
        identity_pb2.UserRegistered(
            user_id=str(owner.id),
            organization_id=str(organization.id),
            email=owner.email,
            role=owner.role,
            registered_at=_timestamp(registered_at),
            name=owner.name,
        ),
        aggregate_id=aggregate_id,
        occurred_at=registered_at,
    )


async def _record(
    session: AsyncSession,
    message: Message,
    *,
    organization_id: uuid.UUID,
    occurred_at: datetime,
) -> None:
    await OUTBOX.record(
        session, message, aggregate_id=str(organization_id), occurred_at=occurred_at
    )


async def record_member_invited(
    session: AsyncSession, invitation: Invitation, *, invited_at: datetime
) -> None:
    """Record MemberInvited (also on a resend: the invitation then has a new expiry)."""
    await _record(
        session,
        identity_pb2.MemberInvited(
            invitation_id=str(invitation.id),
            organization_id=str(invitation.organization_id),
            email=invitation.email,
            role=invitation.role,
            invited_by=str(invitation.invited_by or ""),
            invited_at=_timestamp(invited_at),
            expires_at=_timestamp(invitation.expires_at),
        ),
        organization_id=invitation.organization_id,
        occurred_at=invited_at,
    )


async def record_member_joined(
    session: AsyncSession,
    member: User,
    *,
    invitation_id: uuid.UUID | None,
    joined_at: datetime,
) -> None:
    """Record MemberJoined; ``invitation_id`` is None for a member the demo seed created."""
    await _record(
        session,
        identity_pb2.MemberJoined(
            user_id=str(member.id),
            organization_id=str(member.organization_id),
            email=member.email,
            name=member.name,
            role=member.role,
            invitation_id=str(invitation_id or ""),
            joined_at=_timestamp(joined_at),
        ),
        organization_id=member.organization_id,
        occurred_at=joined_at,
    )


async def record_member_role_changed(
    session: AsyncSession,
    member: User,
    *,
    old_role: str,
    changed_by: uuid.UUID,
    changed_at: datetime,
) -> None:
    await _record(
        session,
        identity_pb2.MemberRoleChanged(
            user_id=str(member.id),
            organization_id=str(member.organization_id),
            old_role=old_role,
            new_role=member.role,
            changed_by=str(changed_by),
            changed_at=_timestamp(changed_at),
        ),
        organization_id=member.organization_id,
        occurred_at=changed_at,
    )


async def record_member_deactivated(
    session: AsyncSession,
    member: User,
    *,
    deactivated_by: uuid.UUID | None,
    removed: bool,
    deactivated_at: datetime,
) -> None:
    """Record MemberDeactivated; ``deactivated_by`` is None when the organisation closed."""
    await _record(
        session,
        identity_pb2.MemberDeactivated(
            user_id=str(member.id),
            organization_id=str(member.organization_id),
            deactivated_by=str(deactivated_by or ""),
            deactivated_at=_timestamp(deactivated_at),
            removed=removed,
        ),
        organization_id=member.organization_id,
        occurred_at=deactivated_at,
    )


async def record_organization_updated(
    session: AsyncSession, organization: Organization, *, updated_at: datetime
) -> None:
    """Record OrganizationUpdated with the whole company profile (unset parts empty)."""
    await _record(
        session,
        identity_pb2.OrganizationUpdated(
            organization_id=str(organization.id),
            legal_name=organization.name,
            street=organization.street or "",
            postcode=organization.postcode or "",
            city=organization.city or "",
            country=organization.country,
            vat_id=organization.vat_id,
            invoice_email=organization.invoice_email or "",
            updated_at=_timestamp(updated_at),
        ),
        organization_id=organization.id,
        occurred_at=updated_at,
    )


async def record_organization_closed(
    session: AsyncSession,
    organization: Organization,
    *,
    closed_by: uuid.UUID,
    closed_at: datetime,
) -> None:
    await _record(
        session,
        identity_pb2.OrganizationClosed(
            organization_id=str(organization.id),
            closed_by=str(closed_by),
            closed_at=_timestamp(closed_at),
        ),
        organization_id=organization.id,
        occurred_at=closed_at,
    )
