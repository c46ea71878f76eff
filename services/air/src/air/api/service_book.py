"""The service book of a VIN and what is due: write (no pass needed), read (AIR pass)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from air.api.deps import ClockDep, Technician
from air.api.language import AcceptLanguageHeader, LangQuery, caller_language
from air.api.service_book_schemas import (
    ScheduleRead,
    ServiceEntryCreate,
    ServiceEntryList,
    ServiceEntryRead,
    ServiceEntryUpdate,
    ServiceEntryVoid,
)
from air.domain.service_book import EARLIEST_SERVICE_DATE, MAX_MILEAGE_KM
from air.errors import (
    AirPassRequiredError,
    InvalidFieldsError,
    InvalidVinError,
    ServiceEntryChangedError,
    ServiceEntryFinalError,
    ServiceEntryNotFoundError,
    ServiceEntryVoidedError,
    VinNotCoveredError,
    WorkshopDetailsMissingError,
)
from air.services import service_book
from air.services.schedule import schedule_for_vin
from air.services.service_book import Member
from servicekit.auth import IdentityUnavailableError, InvalidTokenError, Principal
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses

router = APIRouter(tags=["service book"])

AUTH_ERRORS = (UnauthorizedError, InvalidTokenError, IdentityUnavailableError)
CHANGE_ERRORS = (
    ServiceEntryNotFoundError,
    ServiceEntryVoidedError,
    ServiceEntryFinalError,
    ServiceEntryChangedError,
    *AUTH_ERRORS,
)


def _member(principal: Principal) -> Member:
    return Member(organization_id=principal.organization_id, user_id=principal.user_id)


@router.get(
    "/vehicles/{vin}/service-entries",
    summary="Read a vehicle's service book",
    responses=problem_responses(InvalidVinError, AirPassRequiredError, *AUTH_ERRORS),
)
async def list_service_entries(
    vin: str, principal: Technician, session: SessionDep, clock: ClockDep
) -> ServiceEntryList:
    """Every entry of the VIN, newest first, voided ones included, each with the company that
    wrote it (name and city). Needs an AIR pass: a time pass or the VIN's own pass."""
    normalised, views = await service_book.list_entries(
        session, _member(principal), vin, now=clock()
    )
    return ServiceEntryList(vin=normalised, items=[ServiceEntryRead.of(view) for view in views])


@router.post(
    "/vehicles/{vin}/service-entries",
    status_code=201,
    summary="Write a service book entry",
    responses=problem_responses(
        InvalidVinError,
        VinNotCoveredError,
        InvalidFieldsError,
        WorkshopDetailsMissingError,
        *AUTH_ERRORS,
    ),
)
async def write_service_entry(
    vin: str,
    body: ServiceEntryCreate,
    principal: Technician,
    session: SessionDep,
    clock: ClockDep,
) -> ServiceEntryRead:
    """Any workshop may write an entry for any VIN it serviced (no pass needed). It can be
    edited or voided by the same workshop for 14 days; after that it is final and is put right
    by a new entry with ``corrects``. ``warnings`` lists readings to check again."""
    view = await service_book.write_entry(
        session,
        _member(principal),
        vin,
        body.content(),
        corrects=body.corrects,
        now=clock(),
    )
    return ServiceEntryRead.of(view)


@router.patch(
    "/service-entries/{entry_id}",
    summary="Edit your own service book entry (within 14 days)",
    responses=problem_responses(*CHANGE_ERRORS, InvalidFieldsError, WorkshopDetailsMissingError),
)
async def edit_service_entry(
    entry_id: uuid.UUID,
    body: ServiceEntryUpdate,
    principal: Technician,
    session: SessionDep,
    clock: ClockDep,
) -> ServiceEntryRead:
    """Change the fields given; ``revision`` must be the one you read."""
    view = await service_book.edit_entry(
        session,
        _member(principal),
        entry_id,
        revision=body.revision,
        patch=body.patch(),
        now=clock(),
    )
    return ServiceEntryRead.of(view)


@router.post(
    "/service-entries/{entry_id}/void",
    summary="Void your own service book entry (within 14 days)",
    responses=problem_responses(*CHANGE_ERRORS),
)
async def void_service_entry(
    entry_id: uuid.UUID,
    body: ServiceEntryVoid,
    principal: Technician,
    session: SessionDep,
    clock: ClockDep,
) -> ServiceEntryRead:
    """The entry stays in the history, marked voided, and counts for nothing in the schedule."""
    view = await service_book.void_entry(
        session, _member(principal), entry_id, revision=body.revision, now=clock()
    )
    return ServiceEntryRead.of(view)


@router.get(
    "/vehicles/{vin}/schedule",
    summary="What is due for a vehicle",
    responses=problem_responses(
        InvalidVinError, InvalidFieldsError, AirPassRequiredError, *AUTH_ERRORS
    ),
)
async def read_schedule(
    vin: str,
    principal: Technician,
    session: SessionDep,
    clock: ClockDep,
    mileage_km: Annotated[
        int | None,
        Query(ge=0, le=MAX_MILEAGE_KM, description="Today's odometer reading (km)"),
    ] = None,
    first_registration: Annotated[
        date | None,
        Query(
            ge=EARLIEST_SERVICE_DATE,
            description="Date of first registration: the start for jobs never recorded",
        ),
    ] = None,
    lang: LangQuery = None,
    accept_language: AcceptLanguageHeader = None,
) -> ScheduleRead:
    """Each maintenance job that applies to the vehicle with its status (overdue, due,
    due_soon, ok, unknown), from the last entry that did it or the first registration, and
    the AIR document describing it. Needs an AIR pass like reading the service book."""
    vehicle, schedule = await schedule_for_vin(
        session,
        principal.organization_id,
        vin,
        mileage_km=mileage_km,
        first_registration=first_registration,
        language=caller_language(lang, accept_language),
        now=clock(),
    )
    return ScheduleRead.of(vehicle.vin, schedule)
