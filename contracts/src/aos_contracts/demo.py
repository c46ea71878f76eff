"""The AOS demo vehicle: a G20 with three ECUs, as the simulator builds it and the programming
catalog describes it. The same table gives the agent the ECUs' CAN ids.

The secrets are published demonstration values for the demo algorithms (``keys``); they
protect nothing. Real ECU types get their secret from the vehicle maker, never from source.
"""

from __future__ import annotations

from dataclasses import dataclass

from aos_contracts.keys import AOS_DEMO_1

__all__ = ["DEMO_ECUS", "DEMO_MODEL_SERIES", "DEMO_VIN", "DemoEcu", "demo_ecu"]

DEMO_VIN = "WBA5F3103MFX12345"
DEMO_MODEL_SERIES = "G20"


@dataclass(frozen=True, slots=True)
class DemoEcu:
    """One ECU of the demo vehicle. Addresses and sizes are bytes; CAN ids are 11-bit, normal
    addressing; ``factory_version`` is the software the demo vehicle ships with."""

    logical_address: int
    name: str
    ecu_type: str
    can_request_id: int
    can_response_id: int
    region_address: int
    region_size: int
    secret: bytes
    factory_version: str
    security_algorithm: str = AOS_DEMO_1


DEMO_ECUS: tuple[DemoEcu, ...] = (
    DemoEcu(
        logical_address=0x0012,
        name="DME",
        ecu_type="DME_B48",
        can_request_id=0x712,
        can_response_id=0x71A,
        region_address=0x00080000,
        region_size=0x00100000,
        secret=bytes.fromhex("d3e1f2a4b5c6d7e8f9a0b1c2d3e4f506"),
        factory_version="1.0.0",
    ),
    DemoEcu(
        logical_address=0x0040,
        name="BDC",
        ecu_type="BDC_G20",
        can_request_id=0x740,
        can_response_id=0x748,
        region_address=0x00020000,
        region_size=0x00080000,
        secret=bytes.fromhex("0badc0de0badc0de0badc0de0badc0de"),
        factory_version="2.3.0",
    ),
    DemoEcu(
        logical_address=0x0063,
        name="HU",
        ecu_type="HU_MGU",
        can_request_id=0x763,
        can_response_id=0x76B,
        region_address=0x01000000,
        region_size=0x00200000,
        secret=bytes.fromhex("11223344556677889900aabbccddeeff"),
        factory_version="5.0.1",
    ),
)


def demo_ecu(ecu_type: str) -> DemoEcu | None:
    """The demo ECU of ``ecu_type``, or None."""
    return next((ecu for ecu in DEMO_ECUS if ecu.ecu_type == ecu_type), None)
