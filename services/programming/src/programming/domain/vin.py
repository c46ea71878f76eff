"""VIN → model series, for the vehicles the demo catalog knows."""

from __future__ import annotations

import re

__all__ = ["TYPE_CODE_SERIES", "is_valid_vin", "model_series"]

_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")

# Positions 4-7 of the VIN (the type code) → model series. A small demo table.
TYPE_CODE_SERIES: dict[str, str] = {
    "5F31": "G20",
    "5F11": "G20",
    "8E31": "G21",
    "7S11": "F40",
    "CV21": "G05",
    "11EU": "U11",
}


def is_valid_vin(vin: str) -> bool:
    """17 characters, digits and capital letters without I, O and Q."""
    return _VIN.match(vin) is not None


def model_series(vin: str) -> str | None:
    """The model series of a valid VIN, or None when its type code is not in the table."""
    return TYPE_CODE_SERIES.get(vin[3:7]) if is_valid_vin(vin) else None
