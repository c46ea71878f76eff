"""GET /vehicles/{vin}: decode a VIN (no pass needed: it is the entry to buying one)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from air.api.deps import Technician
from air.api.schemas import VehicleRead
from air.errors import InvalidVinError
from air.services.vehicles import decode_vehicle
from servicekit.auth import IdentityUnavailableError, InvalidTokenError
from servicekit.problems import UnauthorizedError, problem_responses

router = APIRouter(prefix="/vehicles", tags=["vehicles"])


@router.get(
    "/{vin}",
    summary="Decode a VIN",
    responses=problem_responses(
        InvalidVinError, UnauthorizedError, InvalidTokenError, IdentityUnavailableError
    ),
)
async def read_vehicle(vin: str, principal: Technician) -> VehicleRead:
    """Manufacturer, model year, plant, serial and (from the type-code table) series, model,
    body, engine, transmission, drive and standard options, with the coverage: a VIN of another
    maker is "not_covered", a type code of ours that is not in the table "unknown_vehicle".
    A wrong check digit is reported in ``notes``, not refused."""
    return VehicleRead.of(decode_vehicle(vin, today=datetime.now(UTC).date()))
