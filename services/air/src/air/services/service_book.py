"""The service book: writing, editing, voiding and reading a vehicle's entries.

Any workshop may write an entry for any VIN (it serviced the car) once its company data is
known; reading a VIN's history needs an AIR pass covering it. Only the writing workshop edits
or voids its entry, and only within ``EDIT_WINDOW``; other workshops' entries are not found.
Every write records ServiceEntryRecorded in the same transaction.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from air.db.models import ServiceEntry
from air.db.service_book import EntryRow, ServiceEntryRepository
from air.db.workshops import WorkshopRepository
from air.domain.content import VehicleFacts
from air.domain.schedule import next_due
from air.domain.service_book import (
    EntryContent,
    EntryStatus,
    FieldProblem,
    Part,
    ServiceEntryKind,
    content_problems,
    editable_until,
    is_editable,
    mileage_warnings,
)
from air.domain.vehicle import Vehicle
from air.errors import (
    InvalidFieldsError,
    ServiceEntryChangedError,
    ServiceEntryFinalError,
    ServiceEntryNotFoundError,
    ServiceEntryVoidedError,
    VinNotCoveredError,
    WorkshopDetailsMissingError,
)
from air.events.publishing import record_service_entry_recorded
from air.services.access import require_air_pass
from air.services.schedule import load_maintenance_rules, vehicle_facts
from air.services.vehicles import decode_vehicle

COMPANY_PAGE = "/company"


@dataclass(frozen=True)
class Member:
    """Who asks: the workshop (organisation) and the member, for the event's audit trail."""

    organization_id: uuid.UUID
    user_id: uuid.UUID


@dataclass(frozen=True)
class EntryView:
    """An entry as the caller sees it."""

    row: EntryRow
    own: bool
    editable: bool
    editable_until: datetime
    warnings: tuple[str, ...] = ()

    @property
    def entry(self) -> ServiceEntry:
        return self.row.entry


@dataclass(frozen=True)
class EntryPatch:
    """The fields a PATCH sets; ``given`` names them (a field left out stays as it is)."""

    given: frozenset[str]
    performed_on: date | None = None
    mileage_km: int | None = None
    kind: ServiceEntryKind | None = None
    work_items: tuple[str, ...] | None = None
    parts: tuple[Part, ...] | None = None
    note: str | None = None
    next_due_date: date | None = None
    next_due_mileage_km: int | None = None

    def apply(self, content: EntryContent) -> EntryContent:
        fields = {name: getattr(self, name) for name in self.given if name != "given"}
        return dataclasses.replace(content, **fields)


def _view(
    row: EntryRow, member: Member, *, now: datetime, warnings: Sequence[str] = ()
) -> EntryView:
    entry = row.entry
    own = entry.organization_id == member.organization_id
    return EntryView(
        row=row,
        own=own,
        editable=own
        and entry.status == EntryStatus.ACTIVE.value
        and is_editable(entry.created_at, now=now),
        editable_until=editable_until(entry.created_at),
        warnings=tuple(warnings),
    )


def _refuse(problems: Sequence[FieldProblem]) -> InvalidFieldsError:
    listed = "; ".join(f"{p.field}: {p.message}" for p in problems[:5])
    return InvalidFieldsError(
        f"Fix these fields and retry: {listed}",
        errors=[
            {"field": p.field, "code": p.code, "message": p.message, "params": p.params}
            for p in problems
        ],
    )


def _covered_facts(vehicle: Vehicle) -> VehicleFacts:
    # The coverage hook: a vehicle the portal does not cover has no facts, and no service book.
    facts = vehicle_facts(vehicle)
    if facts is None:
        raise VinNotCoveredError(
            f"VIN {vehicle.vin} is of a vehicle this portal does not cover; write its service "
            "book on its maker's own portal.",
            errors=[
                {
                    "field": "path.vin",
                    "code": "vin-not-covered",
                    "message": "This portal does not cover the vehicle.",
                    "params": {},
                }
            ],
        )
    return facts


async def _require_workshop(session: AsyncSession, organization_id: uuid.UUID) -> None:
    """Entries show the writing company's name and city: both must be known (and the
    organisation open) before it writes."""
    workshop = await WorkshopRepository(session).get(organization_id)
    if workshop is not None and workshop.closed_at is not None:
        raise WorkshopDetailsMissingError(
            "Your organisation is closed; it can no longer write service book entries.",
            company_page=COMPANY_PAGE,
        )
    if workshop is None or not workshop.name or not workshop.city:
        raise WorkshopDetailsMissingError(
            "A service book entry shows the company that wrote it, with its city, and AIR does "
            f"not know your company's address yet. Fill in the company address on the company "
            f"page ({COMPANY_PAGE}), then retry in a moment.",
            company_page=COMPANY_PAGE,
        )


def _content(entry: ServiceEntry) -> EntryContent:
    return EntryContent(
        performed_on=entry.performed_on,
        mileage_km=entry.mileage_km,
        kind=ServiceEntryKind(entry.kind),
        work_items=tuple(entry.work_items),
        parts=tuple(Part.from_json(part) for part in entry.parts),
        note=entry.note,
        next_due_date=entry.next_due_date,
        next_due_mileage_km=entry.next_due_mileage_km,
    )


def _store(entry: ServiceEntry, content: EntryContent) -> None:
    entry.performed_on = content.performed_on
    entry.mileage_km = content.mileage_km
    entry.kind = content.kind.value
    entry.work_items = list(content.work_items)
    entry.parts = [part.as_json() for part in content.parts]
    entry.note = content.note
    entry.next_due_date = content.next_due_date
    entry.next_due_mileage_km = content.next_due_mileage_km


async def _check_correction(
    repository: ServiceEntryRepository, member: Member, vin: str, corrects: uuid.UUID
) -> None:
    target = await repository.get_of_organization(corrects, member.organization_id)
    if target is None or target.vin != vin:
        raise _refuse(
            [
                FieldProblem(
                    "corrects",
                    "correction-target-unknown",
                    f"Your workshop wrote no entry {corrects} for VIN {vin}; a correction "
                    "names one of your own entries of the same vehicle.",
                )
            ]
        )
    if target.status == EntryStatus.VOIDED.value:
        raise _refuse(
            [
                FieldProblem(
                    "corrects",
                    "correction-target-voided",
                    f"Entry {corrects} is voided and counts for nothing; write a new entry "
                    "without 'corrects'.",
                )
            ]
        )


async def _with_row(
    repository: ServiceEntryRepository,
    entry: ServiceEntry,
    member: Member,
    *,
    now: datetime,
    warnings: Sequence[str] = (),
) -> EntryView:
    (row,) = await repository.rows([entry])
    return _view(row, member, now=now, warnings=warnings)


async def write_entry(
    session: AsyncSession,
    member: Member,
    vin: str,
    content: EntryContent,
    *,
    corrects: uuid.UUID | None,
    now: datetime,
) -> EntryView:
    """Add an entry to the vehicle's service book, written by ``member``'s workshop at ``now``.

    Without a next due date and mileage, both are filled from the maintenance schedule (the
    earliest of the rules the entry marks as done). A mileage below an earlier entry's is
    accepted with a warning. Raises InvalidVinError, VinNotCoveredError,
    WorkshopDetailsMissingError, InvalidFieldsError.
    """
    vehicle = decode_vehicle(vin, today=now.date())
    facts = _covered_facts(vehicle)
    await _require_workshop(session, member.organization_id)
    problems = content_problems(content, today=now.date())
    if problems:
        raise _refuse(problems)
    repository = ServiceEntryRepository(session)
    if corrects is not None:
        await _check_correction(repository, member, vehicle.vin, corrects)
    if content.next_due_date is None and content.next_due_mileage_km is None:
        due_date, due_km = next_due(
            facts,
            load_maintenance_rules(),
            kind=content.kind,
            work_items=content.work_items,
            performed_on=content.performed_on,
            mileage_km=content.mileage_km,
        )
        content = dataclasses.replace(content, next_due_date=due_date, next_due_mileage_km=due_km)
    warnings = mileage_warnings(
        content.performed_on, content.mileage_km, await repository.mileages(vehicle.vin)
    )
    entry = ServiceEntry(
        id=uuid.uuid4(),
        vin=vehicle.vin,
        organization_id=member.organization_id,
        user_id=member.user_id,
        corrects=corrects,
        status=EntryStatus.ACTIVE.value,
        revision=1,
        created_at=now,
        updated_at=now,
    )
    _store(entry, content)
    await repository.add(entry)
    await record_service_entry_recorded(session, entry, user_id=member.user_id, recorded_at=now)
    return await _with_row(repository, entry, member, now=now, warnings=warnings)


async def list_entries(
    session: AsyncSession, member: Member, vin: str, *, now: datetime
) -> tuple[str, list[EntryView]]:
    """The VIN (normalised) and its service book, newest first, voided entries included.
    Needs an AIR pass covering the VIN. Raises InvalidVinError, AirPassRequiredError."""
    vehicle = decode_vehicle(vin, today=now.date())
    await require_air_pass(session, member.organization_id, vin=vehicle.vin, now=now)
    repository = ServiceEntryRepository(session)
    rows = await repository.rows(await repository.for_vin(vehicle.vin))
    return vehicle.vin, [_view(row, member, now=now) for row in rows]


async def _own_changeable_entry(
    repository: ServiceEntryRepository,
    member: Member,
    entry_id: uuid.UUID,
    *,
    revision: int,
    now: datetime,
) -> ServiceEntry:
    entry = await repository.get_of_organization(entry_id, member.organization_id, for_update=True)
    if entry is None:
        raise ServiceEntryNotFoundError(
            f"Your workshop has no service entry {entry_id}; a workshop changes only the "
            "entries it wrote."
        )
    if entry.status == EntryStatus.VOIDED.value:
        raise ServiceEntryVoidedError(
            f"Entry {entry.id} is voided and can no longer be changed; write a new entry.",
            entry_id=str(entry.id),
        )
    until = editable_until(entry.created_at)
    if not is_editable(entry.created_at, now=now):
        raise ServiceEntryFinalError(
            f"Entry {entry.id} became final at {until.isoformat()} (entries can be changed for "
            f"14 days). Write a correction: POST /vehicles/{entry.vin}/service-entries with "
            f'"corrects": "{entry.id}".',
            corrects=str(entry.id),
            editable_until=until.isoformat(),
        )
    if entry.revision != revision:
        raise ServiceEntryChangedError(
            f"Entry {entry.id} was changed meanwhile (it is at revision {entry.revision}, you "
            f"sent {revision}); reload it, apply your change again and send revision "
            f"{entry.revision}.",
            revision=entry.revision,
        )
    return entry


async def edit_entry(
    session: AsyncSession,
    member: Member,
    entry_id: uuid.UUID,
    *,
    revision: int,
    patch: EntryPatch,
    now: datetime,
) -> EntryView:
    """Change the fields ``patch`` gives of the caller's own entry, within its edit window and
    at ``revision``. Raises ServiceEntryNotFoundError (also for another workshop's entry),
    ServiceEntryVoidedError, ServiceEntryFinalError, ServiceEntryChangedError,
    WorkshopDetailsMissingError, InvalidFieldsError (also for a patch that changes nothing)."""
    if not patch.given:
        raise _refuse(
            [
                FieldProblem(
                    "body",
                    "nothing-to-change",
                    "Send at least one field to change besides 'revision'.",
                )
            ]
        )
    repository = ServiceEntryRepository(session)
    entry = await _own_changeable_entry(repository, member, entry_id, revision=revision, now=now)
    await _require_workshop(session, member.organization_id)
    content = patch.apply(_content(entry))
    problems = content_problems(content, today=now.date())
    if problems:
        raise _refuse(problems)
    _store(entry, content)
    entry.revision += 1
    entry.updated_at = now
    await session.flush()
    warnings = mileage_warnings(
        content.performed_on,
        content.mileage_km,
        await repository.mileages(entry.vin, excluding=entry.id),
    )
    await record_service_entry_recorded(session, entry, user_id=member.user_id, recorded_at=now)
    return await _with_row(repository, entry, member, now=now, warnings=warnings)


async def void_entry(
    session: AsyncSession, member: Member, entry_id: uuid.UUID, *, revision: int, now: datetime
) -> EntryView:
    """Void the caller's own entry within its edit window: it stays in the history, marked
    voided, and counts for nothing in the schedule. Raises as edit_entry does."""
    repository = ServiceEntryRepository(session)
    entry = await _own_changeable_entry(repository, member, entry_id, revision=revision, now=now)
    entry.status = EntryStatus.VOIDED.value
    entry.revision += 1
    entry.updated_at = now
    await session.flush()
    await record_service_entry_recorded(session, entry, user_id=member.user_id, recorded_at=now)
    return await _with_row(repository, entry, member, now=now)


__all__ = [
    "COMPANY_PAGE",
    "EntryPatch",
    "EntryView",
    "Member",
    "edit_entry",
    "list_entries",
    "void_entry",
    "write_entry",
]
