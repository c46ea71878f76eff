"""Whether the portal covers a vehicle: only the maker's own vehicles have documents here.

Decided by the world manufacturer identifier until the VIN decoder reports coverage itself;
then this is the one place to switch over.
"""

from __future__ import annotations

from air.domain.vin import DecodedVin

# The WMIs of the maker whose information this portal publishes (BMW AG, BMW M, BMW i, MINI,
# BMW Manufacturing Co.).
COVERED_WMIS = frozenset({"WBA", "WBS", "WBY", "WMW", "5UX"})


def not_covered_note(vehicle: DecodedVin) -> str | None:
    """A sentence saying why ``vehicle`` has no documents here, or None when it is covered."""
    if vehicle.wmi in COVERED_WMIS:
        return None
    maker = vehicle.manufacturer or f"the maker with world manufacturer identifier {vehicle.wmi}"
    return (
        f"{vehicle.vin} is a vehicle of {maker}, which this portal does not cover: there are "
        "no documents for it here. Look for that maker's own repair information portal."
    )


__all__ = ["COVERED_WMIS", "not_covered_note"]
