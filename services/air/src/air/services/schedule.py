"""The maintenance schedule of a VIN: the shipped rules applied to its service book."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from functools import cache
from importlib.resources import files

from sqlalchemy.ext.asyncio import AsyncSession

from air.db.models import ServiceEntry
from air.db.service_book import ServiceEntryRepository
from air.domain.content import Language, VehicleFacts
from air.domain.schedule import (
    MaintenanceRules,
    MaintenanceRulesError,
    Schedule,
    ServiceRecord,
    parse_rules,
    what_is_due,
)
from air.domain.service_book import EntryStatus, ServiceEntryKind
from air.domain.vehicle import Vehicle
from air.errors import InvalidFieldsError
from air.services.access import require_air_pass
from air.services.vehicles import decode_vehicle

RULES_PACKAGE = "air.content"
RULES_FILE = "maintenance.json"


@cache
def load_maintenance_rules() -> MaintenanceRules:
    """The shipped rules, parsed once. Raises MaintenanceRulesError when they are broken."""
    text = files(RULES_PACKAGE).joinpath(RULES_FILE).read_text(encoding="utf-8")
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise MaintenanceRulesError(f"{RULES_FILE} is not JSON: {exc}") from exc
    return parse_rules(raw)


def vehicle_facts(vehicle: Vehicle) -> VehicleFacts | None:
    """What the schedule is decided on; None for a vehicle the portal does not cover (then no
    entry may be written for it and nothing is due)."""
    return vehicle.facts()


def service_records(entries: list[ServiceEntry]) -> list[ServiceRecord]:
    """The schedule's view of a vehicle's entries: voided ones, and ones an active entry
    corrects, count for nothing."""
    corrected = {
        entry.corrects
        for entry in entries
        if entry.corrects is not None and entry.status == EntryStatus.ACTIVE.value
    }
    return [
        ServiceRecord(
            entry_id=entry.id,
            performed_on=entry.performed_on,
            mileage_km=entry.mileage_km,
            kind=ServiceEntryKind(entry.kind),
            work_items=tuple(entry.work_items),
            voided=entry.status == EntryStatus.VOIDED.value,
            superseded=entry.id in corrected,
        )
        for entry in entries
    ]


async def schedule_for_vin(
    session: AsyncSession,
    organization_id: uuid.UUID,
    vin: str,
    *,
    mileage_km: int | None,
    first_registration: date | None,
    language: Language,
    now: datetime,
) -> tuple[Vehicle, Schedule]:
    """What is due for ``vin`` on ``now``'s date. Needs an AIR pass covering the VIN (a time
    pass or that vehicle's pass). Raises InvalidVinError, AirPassRequiredError,
    InvalidFieldsError (a first registration in the future)."""
    vehicle = decode_vehicle(vin, today=now.date())
    await require_air_pass(session, organization_id, vin=vehicle.vin, now=now)
    if first_registration is not None and first_registration > now.date():
        message = "The first registration cannot be after today."
        raise InvalidFieldsError(
            f"Fix these fields and retry: query.first_registration: {message}",
            errors=[
                {
                    "field": "query.first_registration",
                    "code": "date-in-future",
                    "message": message,
                    "params": {"latest": now.date().isoformat()},
                }
            ],
        )
    entries = await ServiceEntryRepository(session).for_vin(vehicle.vin)
    schedule = what_is_due(
        vehicle_facts(vehicle),
        load_maintenance_rules(),
        service_records(entries),
        today=now.date(),
        mileage_km=mileage_km,
        first_registration=first_registration,
        language=language,
    )
    return vehicle, schedule


__all__ = ["load_maintenance_rules", "schedule_for_vin", "service_records", "vehicle_facts"]
