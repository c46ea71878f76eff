"""The vehicle behind a VIN: the one entry point every AIR feature decodes VINs through."""

from __future__ import annotations

from datetime import date

from air.content import vehicle_catalog
from air.domain.vehicle import Vehicle, identify_vehicle
from air.domain.vin import InvalidVin, decode_vin
from air.errors import InvalidVinError

# Longest part of a rejected input echoed back in the problem (inputs can be any length).
ECHO_LIMIT = 40


def decode_vehicle(vin: str, *, today: date) -> Vehicle:
    """The vehicle of ``vin`` with its coverage (covered, another maker's, or an unknown type
    of ours); ``today`` fixes the model-year cycle. ``Vehicle.facts()`` is what applicability is
    decided on: None for another maker's vehicle, to which nothing applies. Raises
    InvalidVinError saying exactly what is wrong with the VIN."""
    try:
        decoded = decode_vin(vin, today=today)
    except InvalidVin as exc:
        shown = vin if len(vin) <= ECHO_LIMIT else vin[:ECHO_LIMIT] + "…"
        detail = f"{shown!r} is not a valid VIN: " + "; ".join(exc.reasons) + "."
        raise InvalidVinError(detail, reasons=list(exc.reasons)) from exc
    return identify_vehicle(decoded, vehicle_catalog())


__all__ = ["decode_vehicle"]
