"""Demo data for ``make run``: a service history for the simulated car, written by a "previous
workshop", whose brake fluid change is overdue and whose oil service is recent.

Dates are relative to ``today`` so the demo shows the same picture whenever it is first seeded.
Seeding goes through the same use case as the API (checks, next due, events) and is idempotent:
once the demo workshop has entries for the VIN nothing more is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from air.db.service_book import ServiceEntryRepository
from air.domain.schedule import add_months
from air.domain.service_book import EntryContent, Part, ServiceEntryKind
from air.services.service_book import EntryView, Member, write_entry
from air.services.workshops import record_company_data

# The VIN the vehicle simulator reports (a G20 330i with a B48 petrol engine).
DEMO_VIN = "WBA5F3103MFX12345"
DEMO_WORKSHOP_NAME = "Autohaus Muster GmbH"
DEMO_WORKSHOP_CITY = "Köln"
# Fixed ids, so a re-seed finds what the first one wrote.
DEMO_WORKSHOP_ID = uuid.uuid5(uuid.NAMESPACE_URL, "aos-demo:workshop:autohaus-muster")
DEMO_TECHNICIAN_ID = uuid.uuid5(uuid.NAMESPACE_URL, "aos-demo:workshop:autohaus-muster:technician")


@dataclass(frozen=True)
class DemoVisit:
    months_ago: int
    mileage_km: int
    kind: ServiceEntryKind
    work_items: tuple[str, ...]
    parts: tuple[Part, ...]
    note: str = ""


OIL_SERVICE_PARTS = (
    Part("11428575211", Decimal("1"), "Oil filter element"),
    Part("83212365946", Decimal("5.25"), "Engine oil BMW Twinpower Turbo 0W-20 (litres)"),
)
# Brake fluid last changed 28 months ago (due every 24): overdue; the oil service is recent.
DEMO_VISITS = (
    DemoVisit(40, 22_300, ServiceEntryKind.OIL_SERVICE, ("engine_oil",), OIL_SERVICE_PARTS),
    DemoVisit(
        28,
        31_900,
        ServiceEntryKind.BRAKE_FLUID,
        ("brake_fluid",),
        (Part("83132405977", Decimal("1"), "Brake fluid DOT 4 LV (litres)"),),
    ),
    DemoVisit(
        14,
        40_800,
        ServiceEntryKind.INSPECTION,
        ("vehicle_check", "cabin_filter", "Wiper blades replaced"),
        (
            Part("64119382886", Decimal("1"), "Cabin microfilter"),
            Part("61610042599", Decimal("1"), "Wiper blade set"),
        ),
        "Brake pads front 6 mm, rear 5 mm.",
    ),
    DemoVisit(2, 48_900, ServiceEntryKind.OIL_SERVICE, ("engine_oil",), OIL_SERVICE_PARTS),
)


@dataclass(frozen=True)
class DemoResult:
    vin: str
    written: tuple[EntryView, ...]
    already_there: bool


async def seed_demo_service_history(
    session: AsyncSession, *, vin: str = DEMO_VIN, today: date
) -> DemoResult:
    """Write the demo workshop and its visits for ``vin`` unless they are there already."""
    moment = datetime.combine(today, time(9, 0), tzinfo=UTC)
    await record_company_data(
        session,
        DEMO_WORKSHOP_ID,
        legal_name=DEMO_WORKSHOP_NAME,
        city=DEMO_WORKSHOP_CITY,
        country="DE",
        updated_at=moment,
    )
    if await ServiceEntryRepository(session).has_entries_of(vin, DEMO_WORKSHOP_ID):
        return DemoResult(vin=vin, written=(), already_there=True)
    member = Member(organization_id=DEMO_WORKSHOP_ID, user_id=DEMO_TECHNICIAN_ID)
    written = []
    for visit in DEMO_VISITS:
        performed_on = add_months(today, -visit.months_ago)
        written.append(
            await write_entry(
                session,
                member,
                vin,
                EntryContent(
                    performed_on=performed_on,
                    mileage_km=visit.mileage_km,
                    kind=visit.kind,
                    work_items=visit.work_items,
                    parts=visit.parts,
                    note=visit.note,
                ),
                corrects=None,
                # Written on the day of the visit: long final, as a real history would be.
                now=datetime.combine(performed_on, time(17, 0), tzinfo=UTC),
            )
        )
    return DemoResult(vin=vin, written=tuple(written), already_there=False)


__all__ = [
    "DEMO_VIN",
    "DEMO_WORKSHOP_CITY",
    "DEMO_WORKSHOP_ID",
    "DEMO_WORKSHOP_NAME",
    "DemoResult",
    "seed_demo_service_history",
]
