"""GET /vehicles/{vin}/catalog: browse before buying (titles, types and systems; no pass)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from air.api.deps import Technician
from air.api.language import AcceptLanguageHeader, LangQuery, caller_language
from air.api.schemas import VehicleCatalog
from air.errors import InvalidVinError
from air.services.catalog import CATALOG_PAGE, vehicle_catalog
from servicekit.auth import IdentityUnavailableError, InvalidTokenError
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses

router = APIRouter(prefix="/vehicles", tags=["vehicles"])


@router.get(
    "/{vin}/catalog",
    summary="What AIR has for a vehicle, by title (no pass needed)",
    responses=problem_responses(
        InvalidVinError, UnauthorizedError, InvalidTokenError, IdentityUnavailableError
    ),
)
async def read_catalog(
    vin: str,
    principal: Technician,
    session: SessionDep,
    accept_language: AcceptLanguageHeader = None,
    lang: LangQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Titles per page")] = CATALOG_PAGE,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> VehicleCatalog:
    """The decoded vehicle and the titles, types, systems and components of every document that
    applies to it, with counts, so a workshop can see what a pass would give it. No summary,
    body, snippet or diagram: reading those needs an AIR pass. Records no usage: no pass is
    used. A vehicle the portal does not cover gets an empty list and a hint."""
    catalog = await vehicle_catalog(
        session,
        vin,
        language=caller_language(lang, accept_language),
        today=datetime.now(UTC).date(),
        limit=limit,
        offset=offset,
    )
    return VehicleCatalog.of(catalog)
