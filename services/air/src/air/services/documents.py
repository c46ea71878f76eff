"""Finding and reading documents."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from air.content.extras import load_taxonomy
from air.db.documents import DocumentRepository, SearchFilters, SearchPage, SearchRow
from air.db.models import Document
from air.domain.access import AIR_PASS_PRODUCTS, time_pass_hint
from air.domain.content import Applicability, FuelType, Language, is_document_id
from air.domain.navigation import SystemFacet, system_facets
from air.domain.search_query import SearchBox, any_of_words, split_search_box
from air.domain.vehicle import Vehicle
from air.domain.vin import normalise_vin
from air.errors import (
    AirPassRequiredError,
    DocumentNotFoundError,
    InvalidQueryError,
    InvalidVinError,
    SearchCriteriaMissingError,
)
from air.events.publishing import record_document_read, record_search_performed
from air.services.access import active_time_pass, require_air_pass
from air.services.coverage import covered_facts, not_covered_note
from air.services.suggestions import FEW_RESULTS, suggest
from air.services.vehicles import decode_vehicle


@dataclass(frozen=True)
class SearchResult:
    """One page of a search: ``language`` is the one searched first; ``systems`` and ``types``
    count the matches before the system, component and type filters."""

    vehicle: Vehicle | None
    language: Language
    total: int
    limit: int
    offset: int
    rows: list[SearchRow]
    systems: list[SystemFacet]
    types: list[tuple[str, int]]
    suggestions: list[str]
    hints: list[str]
    vin_from_query: str | None


@dataclass(frozen=True)
class DocumentVersion:
    """The language version of a document that was read, and which versions exist."""

    document: Document
    available_languages: list[Language]


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


def _vin_of_search(vin: str | None, box: SearchBox) -> str | None:
    """The VIN to filter by: the ``vin`` parameter or the one in ``q``; they must agree."""
    if vin is None:
        return box.vin
    if box.vin is not None and normalise_vin(vin) != box.vin:
        raise InvalidQueryError(
            f"'q' names VIN {box.vin} but 'vin' is {normalise_vin(vin)[:40]}; "
            "search for one vehicle at a time."
        )
    return vin


def _empty_result(
    vehicle: Vehicle,
    *,
    language: Language,
    limit: int,
    offset: int,
    hints: list[str],
    vin_from_query: str | None,
) -> SearchResult:
    return SearchResult(
        vehicle=vehicle,
        language=language,
        total=0,
        limit=limit,
        offset=offset,
        rows=[],
        systems=[],
        types=[],
        suggestions=[],
        hints=hints,
        vin_from_query=vin_from_query,
    )


async def search_documents(
    session: AsyncSession,
    reader: Reader,
    *,
    query: str | None,
    vin: str | None,
    filters: SearchFilters,
    language: Language,
    limit: int,
    offset: int,
    now: datetime,
) -> SearchResult:
    """Full-text search in ``language`` first, then the other, optionally narrowed to the
    documents that apply to a VIN (given as ``vin`` or inside ``query``).

    Without keywords every document applicable to the VIN is listed. Needs an AIR pass covering
    the search: a time pass, or the per-VIN pass of the VIN. A VIN of a maker the portal does
    not cover is answered with no documents and a hint before any pass is asked for: nothing is
    shown, and nobody should buy a pass for it. Writes AirSearchPerformed in the caller's
    transaction. Raises InvalidVinError for a malformed VIN (before the pass check, so it never
    reaches the database) or a query that holds only an almost-VIN, AirPassRequiredError,
    SearchCriteriaMissingError when there is neither keyword nor VIN and InvalidQueryError for
    control characters or two different VINs.
    """
    query, vin = _blank_to_none(query), _blank_to_none(vin)
    if query is not None and _CONTROL_CHARACTERS.search(query):
        raise InvalidQueryError(
            "'q' contains control characters (such as NUL); send the keywords as plain text."
        )
    box = split_search_box(query)
    vin = _vin_of_search(vin, box)
    # The VIN is read first: the pass it may need is looked up by the VIN as written in a grant.
    vehicle = decode_vehicle(vin, today=now.date()) if vin is not None else None
    keywords = box.keywords
    hints = list(box.hints)
    if keywords is None and vehicle is None:
        if hints:
            raise InvalidVinError(" ".join(hints), reasons=hints)
        raise SearchCriteriaMissingError(
            "Send 'q' (keywords, for example q=brake pads) or 'vin' (17 characters), or both."
        )
    if vehicle is not None and (note := not_covered_note(vehicle)) is not None:
        return _empty_result(
            vehicle,
            language=language,
            limit=limit,
            offset=offset,
            hints=[*hints, note],
            vin_from_query=box.vin,
        )
    grant = await require_air_pass(
        session, reader.organization_id, vin=vehicle.vin if vehicle else None, now=now
    )
    facts = covered_facts(vehicle) if vehicle is not None else None
    repository = DocumentRepository(session)

    async def run(text: str | None) -> SearchPage:
        return await repository.search(
            query=text,
            language=language,
            vehicle=facts,
            filters=filters,
            limit=limit,
            offset=offset,
        )

    page = await run(keywords)
    suggestions: list[str] = []
    if keywords is not None and page.matched <= FEW_RESULTS:
        suggestion = await suggest(session, keywords, language=language, vehicle=facts)
        if suggestion is not None:
            # A suggestion is a query to send as q: it keeps the VIN the box held.
            suggestions.append(f"{box.vin} {suggestion}" if box.vin else suggestion)
    if keywords is not None and page.matched == 0 and (relaxed := any_of_words(keywords)):
        loose = await run(relaxed)
        if loose.matched > 0:
            page = loose
            hints.append(
                "No document contains all of the words; these documents contain some of them."
            )
    if page.matched == 0:
        hints.append(_no_match_hint(vehicle=vehicle, keywords=keywords))
    elif page.total == 0:
        hints.append(
            "Nothing matches with these filters; remove the type, system or component filter."
        )
    await record_search_performed(
        session,
        organization_id=reader.organization_id,
        user_id=reader.user_id,
        by_keywords=keywords is not None,
        vin=vehicle.vin if vehicle is not None else None,
        result_count=page.total,
        entitlement_id=grant.entitlement_id,
        performed_at=now,
    )
    return SearchResult(
        vehicle=vehicle,
        language=language,
        total=page.total,
        limit=limit,
        offset=offset,
        rows=page.rows,
        systems=system_facets(page.system_counts, load_taxonomy(), language),
        types=page.type_counts,
        suggestions=suggestions,
        hints=hints,
        vin_from_query=box.vin,
    )


def _no_match_hint(*, vehicle: Vehicle | None, keywords: str | None) -> str:
    """The next step after finding nothing at all."""
    if keywords is None:
        return "There are no documents for this vehicle yet."
    advice = "Check the spelling or search with fewer words"
    if vehicle is not None:
        advice += ", or search without the VIN to see documents for other vehicles"
    return advice + "."


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
    session: AsyncSession,
    reader: Reader,
    document_id: str,
    *,
    vin: str | None,
    language: Language,
    now: datetime,
) -> DocumentVersion:
    """The document with ``document_id`` in ``language`` (English when it has no such version),
    opened for the vehicle ``vin`` when one is named.

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
    versions = (
        await DocumentRepository(session).versions(document_id)
        if is_document_id(document_id)
        else []
    )
    if not versions:
        raise DocumentNotFoundError(
            f"There is no document {document_id[:100]!r}; "
            "find documents with GET /documents/search."
        )
    by_language = {version.language: version for version in versions}
    document = by_language.get(language.value) or by_language.get(Language.EN.value) or versions[0]
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
    return DocumentVersion(
        document=document,
        available_languages=[Language(version.language) for version in versions],
    )


__all__ = [
    "DocumentVersion",
    "Reader",
    "SearchResult",
    "get_document",
    "search_documents",
]
