"""Events the AIR service writes to its outbox, on topic ``air.v1``: its usage and the
service book.

Each is written in the transaction of the request it reports (one insert), so a search or a
read is reported once it happened and never when it failed. Usage events are keyed by the
organisation, so the usage read model receives an organisation's events in order. Service book
events are keyed by the VIN: a vehicle's history (every entry and every revision of one, by
whichever workshop) then lands on one partition in order, which is what a consumer building
vehicle histories needs; the revisions of one entry are ordered by either key.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncSession

from air.db.models import ServiceEntry
from air.domain.service_book import EntryStatus, ServiceEntryKind
from aos.events.v1 import air_pb2
from servicekit.outbox import OutboxWriter

__all__ = [
    "OUTBOX",
    "TOPIC",
    "record_document_read",
    "record_search_performed",
    "record_service_entry_recorded",
]

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


_ENTRY_KINDS = {
    ServiceEntryKind.INSPECTION: air_pb2.SERVICE_ENTRY_KIND_INSPECTION,
    ServiceEntryKind.OIL_SERVICE: air_pb2.SERVICE_ENTRY_KIND_OIL_SERVICE,
    ServiceEntryKind.BRAKE_FLUID: air_pb2.SERVICE_ENTRY_KIND_BRAKE_FLUID,
    ServiceEntryKind.REPAIR: air_pb2.SERVICE_ENTRY_KIND_REPAIR,
    ServiceEntryKind.RECALL: air_pb2.SERVICE_ENTRY_KIND_RECALL,
}


async def record_service_entry_recorded(
    session: AsyncSession, entry: ServiceEntry, *, user_id: uuid.UUID, recorded_at: datetime
) -> None:
    """ServiceEntryRecorded for the entry as it is now (written, edited or voided);
    ``user_id`` is the member who made this revision."""
    message = air_pb2.ServiceEntryRecorded(
        entry_id=str(entry.id),
        organization_id=str(entry.organization_id),
        user_id=str(user_id),
        vin=entry.vin,
        kind=_ENTRY_KINDS[ServiceEntryKind(entry.kind)],
        performed_on=entry.performed_on.isoformat(),
        mileage_km=entry.mileage_km,
        revision=entry.revision,
        voided=entry.status == EntryStatus.VOIDED.value,
        corrects_entry_id=str(entry.corrects) if entry.corrects is not None else "",
        recorded_at=_stamp(recorded_at),
    )
    await OUTBOX.record(session, message, aggregate_id=entry.vin, occurred_at=recorded_at)
