"""Finding and reading documents."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from air.db.documents import DocumentRepository, SearchRow, VehicleFilter
from air.db.models import Document
from air.domain.content import DocumentType, is_document_id
from air.domain.vin import DecodedVin
from air.errors import DocumentNotFoundError, InvalidQueryError, SearchCriteriaMissingError
from air.services.vehicles import decode_vehicle


@dataclass(frozen=True)
class SearchResult:
    vehicle: DecodedVin | None
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


async def search_documents(
    session: AsyncSession,
    *,
    query: str | None,
    vin: str | None,
    types: Sequence[DocumentType],
    limit: int,
    offset: int,
    today: date,
) -> SearchResult:
    """Full-text search, optionally narrowed to the documents that apply to a VIN.

    Without ``query`` every document applicable to the VIN is listed. Raises
    SearchCriteriaMissingError when neither is given, InvalidVinError for a malformed VIN and
    InvalidQueryError for a query with control characters.
    """
    query, vin = _blank_to_none(query), _blank_to_none(vin)
    if query is not None and _CONTROL_CHARACTERS.search(query):
        raise InvalidQueryError(
            "'q' contains control characters (such as NUL); send the keywords as plain text."
        )
    if query is None and vin is None:
        raise SearchCriteriaMissingError(
            "Send 'q' (keywords, for example q=brake pads) or 'vin' (17 characters), or both."
        )
    vehicle = decode_vehicle(vin, today=today) if vin is not None else None
    vehicle_filter = (
        VehicleFilter(series=vehicle.series, model_year=vehicle.model_year)
        if vehicle is not None
        else None
    )
    total, rows = await DocumentRepository(session).search(
        query=query,
        types=[t.value for t in types],
        vehicle=vehicle_filter,
        limit=limit,
        offset=offset,
    )
    return SearchResult(vehicle=vehicle, total=total, limit=limit, offset=offset, rows=rows)


async def get_document(session: AsyncSession, document_id: str) -> Document:
    """The document with ``document_id``; raises DocumentNotFoundError."""
    # An id that cannot exist is not looked up (and NUL bytes never reach PostgreSQL).
    document = (
        await DocumentRepository(session).get(document_id) if is_document_id(document_id) else None
    )
    if document is None:
        raise DocumentNotFoundError(
            f"There is no document {document_id[:100]!r}; "
            "find documents with GET /documents/search."
        )
    return document


__all__ = ["SearchResult", "get_document", "search_documents"]
