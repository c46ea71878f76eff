"""Search and read repair information; both need an AIR pass that covers the request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from air.api.deps import Technician
from air.api.language import AcceptLanguageHeader, LangQuery, caller_language
from air.api.schemas import DocumentList, DocumentRead
from air.config import Settings
from air.db.documents import SearchFilters
from air.domain.content import DocumentType
from air.errors import (
    AirPassRequiredError,
    DocumentNotFoundError,
    InvalidQueryError,
    InvalidVinError,
    SearchCriteriaMissingError,
)
from air.services.documents import Reader, get_document, search_documents
from air.services.printing import print_document
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
    accept_language: AcceptLanguageHeader = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description=(
                "Keywords; quotes, OR and -word work as on the web. A VIN among them is taken "
                "out and used as the vehicle filter"
            ),
        ),
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
    system: Annotated[
        str | None, Query(max_length=100, description="Keep documents of this system")
    ] = None,
    component: Annotated[
        str | None, Query(max_length=100, description="Keep documents of this component")
    ] = None,
    lang: LangQuery = None,
    limit: Annotated[
        int | None, Query(ge=1, le=100, description="Page size (default from settings)")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> DocumentList:
    """Ranked full-text search (title above summary above body) in the caller's language, then
    the other: each document once, in the caller's language where that version matches. With
    only a VIN: every document for the vehicle, by system, component, type and title. Facets
    count the matches before the system, component and type filters; a query that finds little
    gets spelling suggestions, and every empty result a hint."""
    settings: Settings = request.app.state.settings
    result = await search_documents(
        session,
        Reader(organization_id=principal.organization_id, user_id=principal.user_id),
        query=q,
        vin=vin,
        filters=SearchFilters(
            types=[t.value for t in type or []],
            system=_blank_to_none(system),
            component=_blank_to_none(component),
        ),
        language=caller_language(lang, accept_language),
        limit=limit or settings.search_default_limit,
        offset=offset,
        now=datetime.now(UTC),
    )
    return DocumentList.of(result)


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


@router.get(
    "/{document_id}",
    summary="Read a document",
    responses=problem_responses(DocumentNotFoundError, InvalidVinError, *AUTH_ERRORS),
)
async def read_document(
    document_id: str,
    principal: Technician,
    session: SessionDep,
    accept_language: AcceptLanguageHeader = None,
    vin: Annotated[
        str | None,
        Query(
            description=(
                "The vehicle the document is opened for; needed with a per-VIN pass "
                "(AIR_VIN_24H), which covers that vehicle's documents only"
            ),
        ),
    ] = None,
    lang: LangQuery = None,
) -> DocumentRead:
    """The whole document in the caller's language (English when it is not translated):
    Markdown body and, for wiring diagrams, the SVG diagram."""
    reader = Reader(organization_id=principal.organization_id, user_id=principal.user_id)
    version = await get_document(
        session,
        reader,
        document_id,
        vin=vin,
        language=caller_language(lang, accept_language),
        now=datetime.now(UTC),
    )
    return DocumentRead.of(version)


@router.get(
    "/{document_id}/pdf",
    summary="Print a document (PDF)",
    response_class=Response,
    responses={
        200: {
            "description": "The document as a PDF, with the vehicle and the workshop on it",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        },
        **problem_responses(DocumentNotFoundError, InvalidVinError, *AUTH_ERRORS),
    },
)
async def read_document_pdf(
    document_id: str,
    principal: Technician,
    session: SessionDep,
    accept_language: AcceptLanguageHeader = None,
    vin: Annotated[
        str | None,
        Query(description="The vehicle printed on the document; as for reading it"),
    ] = None,
    lang: LangQuery = None,
) -> Response:
    """The document printed for the workshop floor: title, the vehicle (VIN, model, engine), the
    workshop (company name and city), the date, the document id and content version, then the
    body and, for wiring diagrams, the diagram. Same pass rules as reading, and counted as a
    read."""
    reader = Reader(organization_id=principal.organization_id, user_id=principal.user_id)
    printed = await print_document(
        session,
        reader,
        document_id,
        vin=vin,
        language=caller_language(lang, accept_language),
        now=datetime.now(UTC),
    )
    return Response(
        content=printed.pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="{printed.document_id}.pdf"'},
    )
