"""The deterministic demo catalog: the demo vehicle's ECU types (``aos_contracts.demo``), their
releases and the G20's targets. The image format itself is ``aos_contracts.aosimg``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from aos_contracts.demo import DEMO_ECUS, DEMO_MODEL_SERIES

__all__ = [
    "DEMO_ECU_TYPES",
    "DEMO_RELEASES",
    "DEMO_TARGETS",
    "DemoEcuType",
    "DemoRelease",
    "demo_payload",
]


def demo_payload(ecu_type: str, version: str, *, size: int) -> bytes:
    """``size`` bytes of SHA-256 in counter mode: block i = SHA-256(seed + i as 8 bytes BE),
    seed = f"{ecu_type}:{version}" in ASCII. Deterministic, so every build is identical."""
    seed = f"{ecu_type}:{version}".encode("ascii")
    blocks = (size + 31) // 32
    stream = b"".join(hashlib.sha256(seed + i.to_bytes(8, "big")).digest() for i in range(blocks))
    return stream[:size]


@dataclass(frozen=True)
class DemoEcuType:
    key: str
    name: str
    # Demo values only (the published secrets of the simulator's demo vehicle); real ECU
    # types get their secret from the manufacturer, never from source code.
    secret_hex: str
    memory_address: int
    region_size: int
    security_algorithm: str
    # ISO-TP on CAN: (request id, response id) of the simulator's demo vehicle.
    can_ids: tuple[int, int]


@dataclass(frozen=True)
class DemoRelease:
    ecu_type: str
    version: str
    payload_size: int


# The catalog's display name of each demo ECU type.
_DEMO_TITLES = {
    "DME_B48": "DME (B48 engine)",
    "BDC_G20": "BDC (body domain controller)",
    "HU_MGU": "HU (head unit MGU)",
}

DEMO_ECU_TYPES: tuple[DemoEcuType, ...] = tuple(
    DemoEcuType(
        key=ecu.ecu_type,
        name=_DEMO_TITLES.get(ecu.ecu_type, ecu.name),
        secret_hex=ecu.secret.hex(),
        memory_address=ecu.region_address,
        region_size=ecu.region_size,
        security_algorithm=ecu.security_algorithm,
        can_ids=(ecu.can_request_id, ecu.can_response_id),
    )
    for ecu in DEMO_ECUS
)

DEMO_RELEASES: tuple[DemoRelease, ...] = (
    DemoRelease("DME_B48", "1.0.0", 384 * 1024),
    DemoRelease("DME_B48", "1.1.0", 384 * 1024),
    DemoRelease("BDC_G20", "2.3.0", 256 * 1024),
    DemoRelease("HU_MGU", "5.0.1", 512 * 1024),
)

# Model series → ECU type → target version.
DEMO_TARGETS: dict[str, dict[str, str]] = {
    DEMO_MODEL_SERIES: {"DME_B48": "1.1.0", "BDC_G20": "2.3.0", "HU_MGU": "5.0.1"},
}
