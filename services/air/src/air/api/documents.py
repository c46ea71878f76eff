"""Search and read repair information; both need an AIR pass that covers the request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from air.api.deps import Technician
from air.api.schemas import DocumentList, DocumentListItem, DocumentRead, VehicleRead
from air.config import Settings
from air.domain.content import DocumentType
from air.errors import (
    AirPassRequiredError,
    DocumentNotFoundError,
    InvalidQueryError,
    InvalidVinError,
    SearchCriteriaMissingError,
)
from air.services.documents import Reader, get_document, search_documents
from servicekit.auth import IdentityUnavailableError, InvalidTokenError
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses

router = APIRouter(prefix="/documents", tags=["documents"])

AUTH_ERRORS = (UnauthorizedError, InvalidTokenError, IdentityUnavailableError, AirPassRequiredError)


@router.get(
    "/search",
    summary="Search repair information by keywords and/or VIN",
    responses=problem_responses(
        InvalidVinError, InvalidQueryError, SearchCriteriaMissingError, *AUTH_ERRORS
    ),
)
async def search(
    request: Request,
    principal: Technician,
    session: SessionDep,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Keywords; quotes, OR and -word work as on the web"),
    ] = None,
    vin: Annotated[
        str | None,
        Query(
            description=(
                "Keep documents applicable to this vehicle; a per-VIN pass (AIR_VIN_24H) "
                "covers searches with its VIN only"
            ),
        ),
    ] = None,
    type: Annotated[
        list[DocumentType] | None, Query(description="Repeat to allow several types")
    ] = None,
    limit: Annotated[
        int | None, Query(ge=1, le=100, description="Page size (default from settings)")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> DocumentList:
    """Ranked full-text search (title above summary above body). With only ``vin``: every
    document for the vehicle's series and model year (and those for all series)."""
    settings: Settings = request.app.state.settings
    result = await search_documents(
        session,
        Reader(organization_id=principal.organization_id, user_id=principal.user_id),
        query=q,
        vin=vin,
        types=type or [],
        limit=limit or settings.search_default_limit,
        offset=offset,
        now=datetime.now(UTC),
    )
    return DocumentList(
        vehicle=VehicleRead.of(result.vehicle) if result.vehicle is not None else None,
        total=result.total,
        limit=result.limit,
        offset=result.offset,
        items=[DocumentListItem.of(row) for row in result.rows],
    )


@router.get(
    "/{document_id}",
    summary="Read a document",
    responses=problem_responses(DocumentNotFoundError, InvalidVinError, *AUTH_ERRORS),
)
async def read_document(
    document_id: str,
    principal: Technician,
    session: SessionDep,
    vin: Annotated[
        str | None,
        Query(
            description=(
                "The vehicle the document is opened for; needed with a per-VIN pass "
                "(AIR_VIN_24H), which covers that vehicle's documents only"
            ),
        ),
    ] = None,
) -> DocumentRead:
    """The whole document: Markdown body and, for wiring diagrams, the SVG diagram."""
    reader = Reader(organization_id=principal.organization_id, user_id=principal.user_id)
    return DocumentRead.of(
        await get_document(session, reader, document_id, vin=vin, now=datetime.now(UTC))
    )
