"""Writing identity events to the outbox, in the caller's transaction.

Topic ``identity.v1``; the Kafka key (aggregate id) is the organisation id for every event, so
an organisation's events keep their order for consumers.
"""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1 import identity_pb2
from identity.config import Settings
from identity.db.models import Organization, User
from servicekit.outbox import record_event

__all__ = ["IDENTITY_TOPIC", "publish_registration"]

IDENTITY_TOPIC = "identity.v1"


def _timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


async def publish_registration(
    session: AsyncSession,
    organization: Organization,
    owner: User,
    *,
    settings: Settings,
    registered_at: datetime,
) -> None:
    """Record OrganizationRegistered, then UserRegistered for its owner."""
    topic = settings.topic(IDENTITY_TOPIC)
    aggregate_id = str(organization.id)
    await record_event(
        session,
        identity_pb2.OrganizationRegistered(
            organization_id=str(organization.id),
            name=organization.name,
            country=organization.country,
            vat_id=organization.vat_id,
            registered_at=_timestamp(registered_at),
        ),
        topic=topic,
        aggregate_id=aggregate_id,
        source=settings.service_name,
        occurred_at=registered_at,
    )
    await record_event(
        session,
        identity_pb2.UserRegistered(
            user_id=str(owner.id),
            organization_id=str(organization.id),
            email=owner.email,
            role=owner.role,
            registered_at=_timestamp(registered_at),
        ),
        topic=topic,
        aggregate_id=aggregate_id,
        source=settings.service_name,
        occurred_at=registered_at,
    )
