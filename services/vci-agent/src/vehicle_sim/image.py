"""The AOSIMG1 image format as the simulated ECUs read it (``aos_contracts.aosimg``), and
deterministic demo images.

An ECU reads the header from its flash region, where anything may be written: a header that is
not valid AOSIMG1 is "no image" (None) for it, not an error.
"""

import hashlib

from aos_contracts.aosimg import HEADER_SIZE, MAGIC, ImageHeader, InvalidImageError, build_image
from aos_contracts.aosimg import parse_header as parse_valid_header

__all__ = ["HEADER_SIZE", "MAGIC", "ImageHeader", "build_image", "demo_image", "parse_header"]


def parse_header(data: bytes | memoryview) -> ImageHeader | None:
    """Return the header at the start of ``data``, or None if it is not a valid AOSIMG1 header."""
    try:
        return parse_valid_header(data)
    except InvalidImageError:
        return None


def demo_image(*, ecu_type: str, version: str, payload_size: int) -> bytes:
    """Return a deterministic demo image of ``payload_size`` payload bytes.

    The payload is a SHA-256 counter-mode stream: block i = SHA-256(seed || i as uint32 BE),
    seed = f"{ecu_type}:{version}".
    """
    seed = f"{ecu_type}:{version}".encode()
    blocks = (payload_size + 31) // 32
    stream = b"".join(hashlib.sha256(seed + i.to_bytes(4, "big")).digest() for i in range(blocks))
    return build_image(ecu_type=ecu_type, version=version, payload=stream[:payload_size])
