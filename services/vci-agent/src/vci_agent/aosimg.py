"""The AOSIMG1 image header: 64 bytes in front of the payload that is flashed into a region.

Layout (big-endian): magic ``b"AOSIMG1\\0"`` (8) + ecu_type ASCII NUL-padded (24) + version
ASCII NUL-padded (16) + payload length uint32 (4) + 12 zero bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = ["HEADER_SIZE", "MAGIC", "AosImageHeader", "InvalidImageError", "build", "parse_header"]

MAGIC = b"AOSIMG1\0"
HEADER_SIZE = 64
_LAYOUT = struct.Struct(">8s24s16sI12s")


class InvalidImageError(ValueError):
    """The bytes are not a well-formed AOSIMG1 image."""


@dataclass(frozen=True, slots=True)
class AosImageHeader:
    ecu_type: str
    version: str
    payload_length: int

    @property
    def image_size(self) -> int:
        """Header plus payload, in bytes."""
        return HEADER_SIZE + self.payload_length


def parse_header(image: bytes) -> AosImageHeader:
    """Parse and check the header of a whole image; raises ``InvalidImageError``."""
    if len(image) < HEADER_SIZE:
        raise InvalidImageError(f"image is {len(image)} bytes, shorter than its header")
    magic, ecu_type, version, length, reserved = _LAYOUT.unpack_from(image)
    if magic != MAGIC:
        raise InvalidImageError("not an AOSIMG1 image (bad magic)")
    if reserved != bytes(12):
        raise InvalidImageError("reserved header bytes are not zero")
    if HEADER_SIZE + length != len(image):
        raise InvalidImageError(
            f"header says {HEADER_SIZE + length} bytes, the image has {len(image)}"
        )
    try:
        return AosImageHeader(
            ecu_type=ecu_type.rstrip(b"\0").decode("ascii"),
            version=version.rstrip(b"\0").decode("ascii"),
            payload_length=length,
        )
    except UnicodeDecodeError as exc:
        raise InvalidImageError("ecu_type or version is not ASCII") from exc


def build(ecu_type: str, version: str, payload: bytes) -> bytes:
    """A whole image (header + payload); raises ``InvalidImageError`` on over-long fields."""
    type_bytes, version_bytes = ecu_type.encode("ascii"), version.encode("ascii")
    if len(type_bytes) > 24 or len(version_bytes) > 16:
        raise InvalidImageError("ecu_type is at most 24 and version at most 16 ASCII bytes")
    header = _LAYOUT.pack(MAGIC, type_bytes, version_bytes, len(payload), bytes(12))
    return header + payload
