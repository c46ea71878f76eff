"""Events the AIR service writes to its outbox, on topic ``air.v1``: its usage.

Each is written in the transaction of the request it reports (one insert), so a search or a
read is reported once it happened and never when it failed. The Kafka key is the organisation,
so the usage read model receives an organisation's events in order.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1 import air_pb2
from servicekit.outbox import OutboxWriter

__all__ = ["OUTBOX", "TOPIC", "record_document_read", "record_search_performed"]

TOPIC = "air.v1"
# Every AIR event goes through this writer; the relay adds the namespace.
OUTBOX = OutboxWriter(topic=TOPIC, source="air")


def _stamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


async def record_search_performed(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    by_keywords: bool,
    vin: str | None,
    result_count: int,
    entitlement_id: uuid.UUID,
    performed_at: datetime,
) -> None:
    """AirSearchPerformed: KEYWORD for a full-text search (``vin`` is its filter), else VIN."""
    message = air_pb2.AirSearchPerformed(
        search_id=str(uuid.uuid4()),
        organization_id=str(organization_id),
        user_id=str(user_id),
        kind=air_pb2.SEARCH_KIND_KEYWORD if by_keywords else air_pb2.SEARCH_KIND_VIN,
        vin=vin or "",
        result_count=result_count,
        performed_at=_stamp(performed_at),
        entitlement_id=str(entitlement_id),
    )
    await OUTBOX.record(
        session, message, aggregate_id=str(organization_id), occurred_at=performed_at
    )


async def record_document_read(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    document_id: str,
    vin: str | None,
    entitlement_id: uuid.UUID,
    read_at: datetime,
) -> None:
    """AirDocumentRead; ``vin`` is the vehicle it was opened for, when one was named."""
    message = air_pb2.AirDocumentRead(
        read_id=str(uuid.uuid4()),
        organization_id=str(organization_id),
        user_id=str(user_id),
        document_id=document_id,
        vin=vin or "",
        read_at=_stamp(read_at),
        entitlement_id=str(entitlement_id),
    )
    await OUTBOX.record(session, message, aggregate_id=str(organization_id), occurred_at=read_at)
