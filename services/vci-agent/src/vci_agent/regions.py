"""Flash regions of the ECU types the local ``flash`` command knows without being told.

These are the AOS demo vehicle's ECUs (``aos_contracts.demo``: the simulator's default vehicle
and the programming catalog's seed). Other ECUs need ``--address`` and ``--erase-size``; in a
server job the service sends the address.
"""

from __future__ import annotations

from dataclasses import dataclass

from aos_contracts.demo import DEMO_ECUS

__all__ = ["KNOWN_REGIONS", "FlashRegion"]


@dataclass(frozen=True, slots=True)
class FlashRegion:
    """Start address and size in bytes of the region one erase covers."""

    address: int
    size: int


KNOWN_REGIONS: dict[str, FlashRegion] = {
    ecu.ecu_type: FlashRegion(ecu.region_address, ecu.region_size) for ecu in DEMO_ECUS
}
