"""The AOSIMG1 image format: a 64-byte header in front of the payload flashed into a region.

Header (big-endian): magic ``b"AOSIMG1\\0"`` (8 bytes), ecu_type ASCII NUL-padded (24),
version ASCII NUL-padded (16), payload length uint32 (4), 12 reserved zero bytes. The SHA-256
and Ed25519 signature cover the whole image and are checked by their users, not here.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = [
    "ECU_TYPE_MAX_BYTES",
    "HEADER_SIZE",
    "MAGIC",
    "VERSION_MAX_BYTES",
    "ImageHeader",
    "InvalidImageError",
    "build_image",
    "parse_header",
    "parse_image",
]

MAGIC = b"AOSIMG1\0"
HEADER_SIZE = 64
ECU_TYPE_MAX_BYTES = 24
VERSION_MAX_BYTES = 16
_LAYOUT = struct.Struct(">8s24s16sI12s")
_RESERVED = bytes(12)


class InvalidImageError(ValueError):
    """The bytes are not a well-formed AOSIMG1 image (or a header field does not fit)."""


@dataclass(frozen=True, slots=True)
class ImageHeader:
    ecu_type: str
    version: str
    payload_length: int

    @property
    def image_size(self) -> int:
        """Header plus payload, in bytes."""
        return HEADER_SIZE + self.payload_length

    def pack(self) -> bytes:
        """The 64 header bytes; raises ``InvalidImageError`` when a field does not fit."""
        try:
            type_bytes = self.ecu_type.encode("ascii")
            version_bytes = self.version.encode("ascii")
        except UnicodeEncodeError as exc:
            raise InvalidImageError("ecu_type and version must be ASCII") from exc
        if len(type_bytes) > ECU_TYPE_MAX_BYTES or len(version_bytes) > VERSION_MAX_BYTES:
            raise InvalidImageError(
                f"ecu_type is at most {ECU_TYPE_MAX_BYTES} and version at most "
                f"{VERSION_MAX_BYTES} ASCII bytes (got {self.ecu_type!r}, {self.version!r})"
            )
        if not 0 <= self.payload_length <= 0xFFFFFFFF:
            raise InvalidImageError(f"payload length {self.payload_length} is not a uint32")
        return _LAYOUT.pack(MAGIC, type_bytes, version_bytes, self.payload_length, _RESERVED)


def build_image(ecu_type: str, version: str, payload: bytes) -> bytes:
    """A whole image (header + payload); raises ``InvalidImageError`` on over-long fields."""
    header = ImageHeader(ecu_type=ecu_type, version=version, payload_length=len(payload))
    return header.pack() + payload


def parse_header(data: bytes | bytearray | memoryview) -> ImageHeader:
    """The header at the start of ``data`` (which may be the header alone or more bytes).

    Raises ``InvalidImageError``: shorter than a header, bad magic, reserved bytes not zero,
    fields not ASCII.
    """
    if len(data) < HEADER_SIZE:
        raise InvalidImageError(f"{len(data)} bytes are shorter than the {HEADER_SIZE}-byte header")
    magic, ecu_type, version, length, reserved = _LAYOUT.unpack_from(data)
    if magic != MAGIC:
        raise InvalidImageError("not an AOSIMG1 image (bad magic)")
    if reserved != _RESERVED:
        raise InvalidImageError("reserved header bytes are not zero")
    try:
        return ImageHeader(
            ecu_type=ecu_type.rstrip(b"\0").decode("ascii"),
            version=version.rstrip(b"\0").decode("ascii"),
            payload_length=length,
        )
    except UnicodeDecodeError as exc:
        raise InvalidImageError("ecu_type or version is not ASCII") from exc


def parse_image(image: bytes | bytearray | memoryview) -> ImageHeader:
    """The header of a whole image, checked against the image's length.

    Raises ``InvalidImageError`` (see ``parse_header``, and a length that differs from the
    header's).
    """
    header = parse_header(image)
    if header.image_size != len(image):
        raise InvalidImageError(
            f"header says {header.image_size} bytes, the image has {len(image)}"
        )
    return header
