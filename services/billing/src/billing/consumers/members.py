"""Consumer of identity's member events: the members projection, so the usage report can show
a member's name and e-mail instead of a bare user id. A removed member's data is erased here
too, as identity erases it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1 import identity_pb2
from billing.consumers.fields import required_time, required_uuid
from billing.services.members import erase_member, record_member
from servicekit.app import ConsumerSpec
from servicekit.consumer import IncomingEvent, subscribe

__all__ = [
    "MEMBERS_CONSUMER",
    "handle_member_deactivated",
    "handle_member_joined",
    "handle_user_registered",
]

CONSUMER_NAME = "billing.members"
IDENTITY_TOPIC = "identity.v1"


async def handle_user_registered(
    session: AsyncSession, event: IncomingEvent[identity_pb2.UserRegistered]
) -> None:
    message = event.message
    await record_member(
        session,
        user_id=required_uuid(message, "user_id"),
        organization_id=required_uuid(message, "organization_id"),
        email=message.email,
        name=message.name,  # empty from an older producer
        at=required_time(message, "registered_at"),
    )


async def handle_member_joined(
    session: AsyncSession, event: IncomingEvent[identity_pb2.MemberJoined]
) -> None:
    message = event.message
    await record_member(
        session,
        user_id=required_uuid(message, "user_id"),
        organization_id=required_uuid(message, "organization_id"),
        email=message.email,
        name=message.name,
        at=required_time(message, "joined_at"),
    )


async def handle_member_deactivated(
    session: AsyncSession, event: IncomingEvent[identity_pb2.MemberDeactivated]
) -> None:
    message = event.message
    if not message.removed:
        return  # a deactivated member's past usage keeps its name
    await erase_member(
        session,
        user_id=required_uuid(message, "user_id"),
        organization_id=required_uuid(message, "organization_id"),
        at=required_time(message, "deactivated_at"),
    )


MEMBERS_CONSUMER = ConsumerSpec(
    name=CONSUMER_NAME,
    topics=[IDENTITY_TOPIC],
    subscriptions=dict(
        [
            subscribe(identity_pb2.UserRegistered, handle_user_registered),
            subscribe(identity_pb2.MemberJoined, handle_member_joined),
            subscribe(identity_pb2.MemberDeactivated, handle_member_deactivated),
        ]
    ),
)
