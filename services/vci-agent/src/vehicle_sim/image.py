"""The "AOSIMG1" image format: a 64-byte header then the payload.

Header: magic ``b"AOSIMG1\\0"`` (8 bytes), ecu_type ASCII NUL-padded to 24 bytes, version ASCII
NUL-padded to 16 bytes, payload length uint32 big-endian, 12 zero bytes.
"""

import hashlib
import struct
from dataclasses import dataclass

__all__ = ["HEADER_SIZE", "MAGIC", "ImageHeader", "build_image", "demo_image", "parse_header"]

MAGIC = b"AOSIMG1\0"
HEADER_SIZE = 64
_HEADER = struct.Struct(">8s24s16sI12s")


@dataclass(frozen=True, slots=True)
class ImageHeader:
    ecu_type: str
    version: str
    payload_length: int

    def pack(self) -> bytes:
        return _HEADER.pack(
            MAGIC,
            self.ecu_type.encode("ascii"),
            self.version.encode("ascii"),
            self.payload_length,
            bytes(12),
        )


def parse_header(data: bytes | memoryview) -> ImageHeader | None:
    """Return the header at the start of ``data``, or None if it is not a valid AOSIMG1 header."""
    if len(data) < HEADER_SIZE:
        return None
    magic, ecu_type, version, length, _ = _HEADER.unpack_from(data)
    if magic != MAGIC:
        return None
    try:
        return ImageHeader(
            ecu_type=ecu_type.rstrip(b"\0").decode("ascii"),
            version=version.rstrip(b"\0").decode("ascii"),
            payload_length=length,
        )
    except UnicodeDecodeError:
        return None


def build_image(*, ecu_type: str, version: str, payload: bytes) -> bytes:
    """Return header + payload. Raises ValueError if a field does not fit its header slot."""
    if len(ecu_type) > 24 or len(version) > 16:
        raise ValueError("ecu_type is at most 24 and version at most 16 ASCII characters")
    header = ImageHeader(ecu_type=ecu_type, version=version, payload_length=len(payload))
    return header.pack() + payload


def demo_image(*, ecu_type: str, version: str, payload_size: int) -> bytes:
    """Return a deterministic demo image of ``payload_size`` payload bytes.

    The payload is a SHA-256 counter-mode stream: block i = SHA-256(seed || i as uint32 BE),
    seed = f"{ecu_type}:{version}".
    """
    seed = f"{ecu_type}:{version}".encode()
    blocks = (payload_size + 31) // 32
    stream = b"".join(hashlib.sha256(seed + i.to_bytes(4, "big")).digest() for i in range(blocks))
    return build_image(ecu_type=ecu_type, version=version, payload=stream[:payload_size])
