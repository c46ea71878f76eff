"""The AOSIMG1 image format and the deterministic demo catalog.

An image is a 64-byte header and a payload. Header: magic ``b"AOSIMG1\\0"`` (8 bytes), the ECU
type ASCII NUL-padded to 24 bytes, the version ASCII NUL-padded to 16 bytes, the payload length
as uint32 big-endian and 12 zero bytes.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

__all__ = [
    "DEMO_ECU_TYPES",
    "DEMO_RELEASES",
    "DEMO_TARGETS",
    "HEADER_SIZE",
    "MAGIC",
    "DemoEcuType",
    "DemoRelease",
    "build_image",
    "demo_payload",
    "parse_header",
]

MAGIC = b"AOSIMG1\0"
HEADER_SIZE = 64


def demo_payload(ecu_type: str, version: str, *, size: int) -> bytes:
    """``size`` bytes of SHA-256 in counter mode: block i = SHA-256(seed + i as 8 bytes BE),
    seed = f"{ecu_type}:{version}" in ASCII. Deterministic, so every build is identical."""
    seed = f"{ecu_type}:{version}".encode("ascii")
    blocks = (size + 31) // 32
    stream = b"".join(hashlib.sha256(seed + i.to_bytes(8, "big")).digest() for i in range(blocks))
    return stream[:size]


def build_image(ecu_type: str, version: str, payload: bytes) -> bytes:
    """Header + payload. Raises ValueError when a name does not fit its header field."""
    type_bytes = ecu_type.encode("ascii")
    version_bytes = version.encode("ascii")
    if len(type_bytes) > 24 or len(version_bytes) > 16:
        raise ValueError(f"ecu_type {ecu_type!r} or version {version!r} too long for AOSIMG1")
    header = (
        MAGIC
        + type_bytes.ljust(24, b"\0")
        + version_bytes.ljust(16, b"\0")
        + struct.pack(">I", len(payload))
        + bytes(12)
    )
    return header + payload


def parse_header(image: bytes) -> tuple[str, str, int]:
    """(ecu_type, version, payload length) of an image; raises ValueError if not AOSIMG1."""
    if len(image) < HEADER_SIZE or image[:8] != MAGIC:
        raise ValueError("not an AOSIMG1 image")
    ecu_type = image[8:32].rstrip(b"\0").decode("ascii")
    version = image[32:48].rstrip(b"\0").decode("ascii")
    (length,) = struct.unpack(">I", image[48:52])
    return ecu_type, version, length


@dataclass(frozen=True)
class DemoEcuType:
    key: str
    name: str
    # Demo values only (AOS-DEMO-1 secrets of the simulator's default vehicle); real ECU
    # types get their secret from the manufacturer, never from source code.
    secret_hex: str
    memory_address: int
    region_size: int
    # ISO-TP on CAN: (request id, response id) of the simulator's demo vehicle.
    can_ids: tuple[int, int]


@dataclass(frozen=True)
class DemoRelease:
    ecu_type: str
    version: str
    payload_size: int


DEMO_ECU_TYPES: tuple[DemoEcuType, ...] = (
    DemoEcuType(
        "DME_B48",
        "DME (B48 engine)",
        "d3e1f2a4b5c6d7e8f9a0b1c2d3e4f506",
        0x00080000,
        0x00100000,
        (0x712, 0x71A),
    ),
    DemoEcuType(
        "BDC_G20",
        "BDC (body domain controller)",
        "0badc0de0badc0de0badc0de0badc0de",
        0x00020000,
        0x00080000,
        (0x740, 0x748),
    ),
    DemoEcuType(
        "HU_MGU",
        "HU (head unit MGU)",
        "11223344556677889900aabbccddeeff",
        0x01000000,
        0x00200000,
        (0x763, 0x76B),
    ),
)

DEMO_RELEASES: tuple[DemoRelease, ...] = (
    DemoRelease("DME_B48", "1.0.0", 384 * 1024),
    DemoRelease("DME_B48", "1.1.0", 384 * 1024),
    DemoRelease("BDC_G20", "2.3.0", 256 * 1024),
    DemoRelease("HU_MGU", "5.0.1", 512 * 1024),
)

# Model series → ECU type → target version.
DEMO_TARGETS: dict[str, dict[str, str]] = {
    "G20": {"DME_B48": "1.1.0", "BDC_G20": "2.3.0", "HU_MGU": "5.0.1"},
}
