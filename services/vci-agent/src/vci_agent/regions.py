"""Flash regions of the ECU types the local ``flash`` command knows without being told.

These are the AOS demo vehicle's ECUs (the simulator's default vehicle and the programming
catalog's seed). Other ECUs need ``--address`` and ``--erase-size``; in a server job the
service sends the address.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KNOWN_REGIONS", "FlashRegion"]


@dataclass(frozen=True, slots=True)
class FlashRegion:
    """Start address and size in bytes of the region one erase covers."""

    address: int
    size: int


KNOWN_REGIONS: dict[str, FlashRegion] = {
    "DME_B48": FlashRegion(0x00080000, 0x00100000),
    "BDC_G20": FlashRegion(0x00020000, 0x00080000),
    "HU_MGU": FlashRegion(0x01000000, 0x00200000),
}
