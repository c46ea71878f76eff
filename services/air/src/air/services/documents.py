"""Finding and reading documents."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from air.db.documents import DocumentRepository, SearchRow
from air.db.models import Document
from air.domain.access import AIR_PASS_PRODUCTS, time_pass_hint
from air.domain.content import Applicability, DocumentType, FuelType, is_document_id
from air.domain.vehicle import Vehicle
from air.errors import (
    AirPassRequiredError,
    DocumentNotFoundError,
    InvalidQueryError,
    SearchCriteriaMissingError,
)
from air.events.publishing import record_document_read, record_search_performed
from air.services.access import active_time_pass, require_air_pass
from air.services.vehicles import decode_vehicle


@dataclass(frozen=True)
class SearchResult:
    vehicle: Vehicle | None
    total: int
    limit: int
    offset: int
    rows: list[SearchRow]


# C0 control characters other than tab, newline and carriage return; PostgreSQL text cannot
# hold NUL at all, and none of them belongs in a search.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _blank_to_none(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return value.strip()


@dataclass(frozen=True)
class Reader:
    """Who asks, for the pass check and the usage events."""

    organization_id: uuid.UUID
    user_id: uuid.UUID


async def search_documents(
    session: AsyncSession,
    reader: Reader,
    *,
    query: str | None,
    vin: str | None,
    types: Sequence[DocumentType],
    limit: int,
    offset: int,
    now: datetime,
) -> SearchResult:
    """Full-text search, optionally narrowed to the documents that apply to a VIN.

    Without ``query`` every document applicable to the VIN is listed. Needs an AIR pass covering
    the search: a time pass, or the per-VIN pass of ``vin``. Writes AirSearchPerformed in the
    caller's transaction. Raises InvalidVinError for a malformed VIN (before the pass check, so
    a malformed VIN never reaches the database), AirPassRequiredError,
    SearchCriteriaMissingError when neither is given and InvalidQueryError for a query with
    control characters.
    """
    query, vin = _blank_to_none(query), _blank_to_none(vin)
    # The VIN is read first: the pass it may need is looked up by the VIN as written in a grant.
    vehicle = decode_vehicle(vin, today=now.date()) if vin is not None else None
    grant = await require_air_pass(
        session, reader.organization_id, vin=vehicle.vin if vehicle else None, now=now
    )
    if query is not None and _CONTROL_CHARACTERS.search(query):
        raise InvalidQueryError(
            "'q' contains control characters (such as NUL); send the keywords as plain text."
        )
    if query is None and vehicle is None:
        raise SearchCriteriaMissingError(
            "Send 'q' (keywords, for example q=brake pads) or 'vin' (17 characters), or both."
        )
    facts = vehicle.facts() if vehicle is not None else None
    total, rows = 0, list[SearchRow]()
    # Another maker's vehicle has no facts: nothing of this portal applies to it, not even the
    # documents for all series, so the search is not run at all.
    if vehicle is None or facts is not None:
        total, rows = await DocumentRepository(session).search(
            query=query,
            types=[t.value for t in types],
            vehicle=facts,
            limit=limit,
            offset=offset,
        )
    await record_search_performed(
        session,
        organization_id=reader.organization_id,
        user_id=reader.user_id,
        by_keywords=query is not None,
        vin=vehicle.vin if vehicle is not None else None,
        result_count=total,
        entitlement_id=grant.entitlement_id,
        performed_at=now,
    )
    return SearchResult(vehicle=vehicle, total=total, limit=limit, offset=offset, rows=rows)


def _applies(document: Document, vehicle: Vehicle) -> bool:
    """True when every condition of ``document`` holds for ``vehicle`` (never for a vehicle of
    another maker)."""
    facts = vehicle.facts()
    if facts is None:
        return False
    applicability = Applicability(
        series=tuple(document.series),
        all_series=document.all_series,
        model_year_from=document.model_year_from,
        model_year_to=document.model_year_to,
        engine_codes=tuple(document.engine_codes),
        fuel_types=tuple(FuelType(fuel) for fuel in document.fuel_types),
        transmissions=tuple(document.transmissions),
        option_codes=tuple(document.option_codes),
    )
    return applicability.applies(facts)


async def get_document(
    session: AsyncSession, reader: Reader, document_id: str, *, vin: str | None, now: datetime
) -> Document:
    """The document with ``document_id``, opened for the vehicle ``vin`` when one is named.

    Needs an AIR pass covering it: a time pass, or the per-VIN pass of ``vin`` when the document
    applies to that vehicle. Writes AirDocumentRead in the caller's transaction. Raises
    AirPassRequiredError, DocumentNotFoundError, InvalidVinError.
    """
    vin = _blank_to_none(vin)
    vehicle = decode_vehicle(vin, today=now.date()) if vin is not None else None
    grant = await require_air_pass(
        session, reader.organization_id, vin=vehicle.vin if vehicle else None, now=now
    )
    # An id that cannot exist is not looked up (and NUL bytes never reach PostgreSQL).
    document = (
        await DocumentRepository(session).get(document_id) if is_document_id(document_id) else None
    )
    if document is None:
        raise DocumentNotFoundError(
            f"There is no document {document_id[:100]!r}; "
            "find documents with GET /documents/search."
        )
    if vehicle is not None and grant.vin is not None and not _applies(document, vehicle):
        # The vehicle's own pass does not cover it; a time pass of the organisation would.
        time_pass = await active_time_pass(session, reader.organization_id, now=now)
        if time_pass is None:
            raise AirPassRequiredError(
                f"Your organisation's AIR pass for VIN {vehicle.vin} covers the documents for "
                f"that vehicle; {document.id} does not apply to it. {time_pass_hint()}",
                buy=list(AIR_PASS_PRODUCTS),
            )
        grant = time_pass
    await record_document_read(
        session,
        organization_id=reader.organization_id,
        user_id=reader.user_id,
        document_id=document.id,
        vin=vehicle.vin if vehicle is not None else None,
        entitlement_id=grant.entitlement_id,
        read_at=now,
    )
    return document


__all__ = ["Reader", "SearchResult", "get_document", "search_documents"]
