"""Whether the portal covers a vehicle: only the maker's own vehicles have documents here."""

from __future__ import annotations

from air.domain.content import VehicleFacts
from air.domain.vehicle import Coverage, Vehicle


def not_covered_note(vehicle: Vehicle) -> str | None:
    """A sentence saying why ``vehicle`` has no documents here, or None when it is covered (or
    one of the maker's own vehicles of an unknown type)."""
    return vehicle.coverage_note if vehicle.coverage is Coverage.NOT_COVERED else None


def covered_facts(vehicle: Vehicle) -> VehicleFacts:
    """The facts of a vehicle the caller has checked with ``not_covered_note``; a vehicle of
    another maker has none, and searching without facts would mean "any vehicle"."""
    facts = vehicle.facts()
    if facts is None:
        raise ValueError(f"{vehicle.vin} is not covered: there is nothing to search for it")
    return facts


__all__ = ["covered_facts", "not_covered_note"]
