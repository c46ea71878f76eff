"""Decoding VINs against the content pack's type-code table."""

from __future__ import annotations

from datetime import date

from air.content import load_pack
from air.domain.vin import DecodedVin, InvalidVin, decode_vin
from air.errors import InvalidVinError

# Longest part of a rejected input echoed back in the problem (inputs can be any length).
ECHO_LIMIT = 40


def decode_vehicle(vin: str, *, today: date) -> DecodedVin:
    """The decoded VIN; raises InvalidVinError saying exactly what is wrong with it."""
    try:
        return decode_vin(vin, type_codes=load_pack().type_codes, today=today)
    except InvalidVin as exc:
        shown = vin if len(vin) <= ECHO_LIMIT else vin[:ECHO_LIMIT] + "…"
        detail = f"{shown!r} is not a valid VIN: " + "; ".join(exc.reasons) + "."
        raise InvalidVinError(detail, reasons=list(exc.reasons)) from exc


__all__ = ["decode_vehicle"]
