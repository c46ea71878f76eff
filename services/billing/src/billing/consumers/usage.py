"""Consumer of air's and programming's events: the usage read model (billing.services.usage).

Redeliveries are dropped by the servicekit inbox (same event id); a replay of a fact under a new
event id is dropped by the read model itself (same search, read, session or job id). An event
that breaks its contract (no organisation, an id that is no UUID, no time) is dead-lettered.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1 import air_pb2, programming_pb2
from billing.consumers.fields import (
    optional_time,
    optional_uuid,
    required_time,
    required_uuid,
    vin_of,
)
from billing.services.usage import (
    AirFact,
    JobFact,
    SessionFact,
    record_air_fact,
    record_job,
    record_session_ended,
    record_session_started,
)
from servicekit.app import ConsumerSpec
from servicekit.consumer import IncomingEvent, subscribe
from servicekit.logging import get_logger

__all__ = [
    "USAGE_CONSUMER",
    "handle_document_read",
    "handle_flash_job_finished",
    "handle_search_performed",
    "handle_session_ended",
    "handle_session_started",
]

log = get_logger(__name__)

CONSUMER_NAME = "billing.usage"
AIR_TOPIC = "air.v1"
PROGRAMMING_TOPIC = "programming.v1"


async def handle_search_performed(
    session: AsyncSession, event: IncomingEvent[air_pb2.AirSearchPerformed]
) -> None:
    message = event.message
    fact = AirFact(
        fact_id=required_uuid(message, "search_id"),
        organization_id=required_uuid(message, "organization_id"),
        user_id=optional_uuid(message, "user_id"),
        vin=vin_of(message),
        at=required_time(message, "performed_at"),
        entitlement_id=optional_uuid(message, "entitlement_id"),
        document=False,
    )
    added = await record_air_fact(session, fact, event_id=event.event_id)
    log.debug("air search recorded" if added else "air search known", search_id=str(fact.fact_id))


async def handle_document_read(
    session: AsyncSession, event: IncomingEvent[air_pb2.AirDocumentRead]
) -> None:
    message = event.message
    fact = AirFact(
        fact_id=required_uuid(message, "read_id"),
        organization_id=required_uuid(message, "organization_id"),
        user_id=optional_uuid(message, "user_id"),
        vin=vin_of(message),
        at=required_time(message, "read_at"),
        entitlement_id=optional_uuid(message, "entitlement_id"),
        document=True,
    )
    added = await record_air_fact(session, fact, event_id=event.event_id)
    log.debug("air read recorded" if added else "air read known", read_id=str(fact.fact_id))


async def handle_session_started(
    session: AsyncSession, event: IncomingEvent[programming_pb2.SessionStarted]
) -> None:
    message = event.message
    fact = SessionFact(
        session_id=required_uuid(message, "session_id"),
        organization_id=required_uuid(message, "organization_id"),
        user_id=optional_uuid(message, "started_by"),
        vin=vin_of(message),
        started_at=required_time(message, "started_at"),
    )
    await record_session_started(session, fact, event_id=event.event_id)


async def handle_session_ended(
    session: AsyncSession, event: IncomingEvent[programming_pb2.SessionEnded]
) -> None:
    message = event.message
    # vin, started_by and started_at are newer fields: empty from an older producer, then the
    # session's start (SessionStarted) supplies them.
    fact = SessionFact(
        session_id=required_uuid(message, "session_id"),
        organization_id=required_uuid(message, "organization_id"),
        user_id=optional_uuid(message, "started_by"),
        vin=vin_of(message),
        started_at=optional_time(message, "started_at"),
        ended_at=required_time(message, "ended_at"),
    )
    await record_session_ended(session, fact, event_id=event.event_id)


async def handle_flash_job_finished(
    session: AsyncSession, event: IncomingEvent[programming_pb2.FlashJobFinished]
) -> None:
    message = event.message
    fact = JobFact(
        job_id=required_uuid(message, "job_id"),
        session_id=optional_uuid(message, "session_id"),
        organization_id=required_uuid(message, "organization_id"),
        user_id=optional_uuid(message, "started_by"),
        vin=vin_of(message),
        finished_at=required_time(message, "finished_at"),
    )
    await record_job(session, fact, event_id=event.event_id)


USAGE_CONSUMER = ConsumerSpec(
    name=CONSUMER_NAME,
    topics=[AIR_TOPIC, PROGRAMMING_TOPIC],
    subscriptions=dict(
        [
            subscribe(air_pb2.AirSearchPerformed, handle_search_performed),
            subscribe(air_pb2.AirDocumentRead, handle_document_read),
            subscribe(programming_pb2.SessionStarted, handle_session_started),
            subscribe(programming_pb2.SessionEnded, handle_session_ended),
            subscribe(programming_pb2.FlashJobFinished, handle_flash_job_finished),
        ]
    ),
)
