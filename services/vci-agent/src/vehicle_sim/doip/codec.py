"""DoIP (ISO 13400-2) generic header and the payloads the entity sends, as exact bytes."""

import struct
from dataclasses import dataclass
from enum import IntEnum

__all__ = [
    "EID_LENGTH",
    "HEADER_SIZE",
    "IDENTIFICATION_REQUEST_VERSION",
    "SUPPORTED_VERSIONS",
    "VIN_LENGTH",
    "ActivationType",
    "DiagnosticNackCode",
    "GenericNackCode",
    "Header",
    "HeaderError",
    "NodeType",
    "PayloadType",
    "PowerMode",
    "RoutingActivationCode",
    "alive_check_response",
    "diagnostic_ack",
    "diagnostic_message",
    "diagnostic_nack",
    "diagnostic_power_mode_response",
    "entity_status_response",
    "generic_nack",
    "pack_message",
    "parse_header",
    "routing_activation_response",
    "vehicle_identification_response",
]

HEADER_SIZE = 8
SUPPORTED_VERSIONS = frozenset({0x02, 0x03})  # ISO 13400-2:2012 and :2019
# The "any version" a tester may put in a vehicle identification request (inverse 0x00).
IDENTIFICATION_REQUEST_VERSION = 0xFF
VIN_LENGTH = 17
EID_LENGTH = 6
_HEADER = struct.Struct(">BBHI")


class PayloadType(IntEnum):
    GENERIC_NACK = 0x0000
    VEHICLE_IDENTIFICATION_REQUEST = 0x0001
    VEHICLE_IDENTIFICATION_REQUEST_EID = 0x0002
    VEHICLE_IDENTIFICATION_REQUEST_VIN = 0x0003
    VEHICLE_IDENTIFICATION_RESPONSE = 0x0004  # also the vehicle announcement
    ROUTING_ACTIVATION_REQUEST = 0x0005
    ROUTING_ACTIVATION_RESPONSE = 0x0006
    ALIVE_CHECK_REQUEST = 0x0007
    ALIVE_CHECK_RESPONSE = 0x0008
    ENTITY_STATUS_REQUEST = 0x4001
    ENTITY_STATUS_RESPONSE = 0x4002
    DIAGNOSTIC_POWER_MODE_REQUEST = 0x4003
    DIAGNOSTIC_POWER_MODE_RESPONSE = 0x4004
    DIAGNOSTIC_MESSAGE = 0x8001
    DIAGNOSTIC_ACK = 0x8002
    DIAGNOSTIC_NACK = 0x8003


class GenericNackCode(IntEnum):
    INCORRECT_PATTERN = 0x00
    UNKNOWN_PAYLOAD_TYPE = 0x01
    MESSAGE_TOO_LARGE = 0x02
    OUT_OF_MEMORY = 0x03
    INVALID_PAYLOAD_LENGTH = 0x04


class DiagnosticNackCode(IntEnum):
    INVALID_SOURCE_ADDRESS = 0x02
    UNKNOWN_TARGET_ADDRESS = 0x03
    MESSAGE_TOO_LARGE = 0x04


class ActivationType(IntEnum):
    DEFAULT = 0x00
    WWH_OBD = 0x01
    CENTRAL_SECURITY = 0xE0


class RoutingActivationCode(IntEnum):
    UNKNOWN_SOURCE_ADDRESS = 0x00
    UNSUPPORTED_ACTIVATION_TYPE = 0x06
    REQUIRES_TLS = 0x07  # ISO 13400-2:2019
    SUCCESS = 0x10


class NodeType(IntEnum):
    GATEWAY = 0x00
    NODE = 0x01


class PowerMode(IntEnum):
    """Diagnostic power mode (ISO 13400-2): may the tester run diagnostics now?"""

    NOT_READY = 0x00
    READY = 0x01
    NOT_SUPPORTED = 0x02


class HeaderError(ValueError):
    """The generic header's protocol version pattern is wrong (answer NACK 0x00, close)."""


@dataclass(frozen=True, slots=True)
class Header:
    version: int
    payload_type: int
    payload_length: int


def parse_header(data: bytes | memoryview, *, any_version: bool = False) -> Header:
    """Parse the 8-byte generic header. Raises HeaderError on a bad version or inverse.

    ``any_version`` also accepts 0xFF, which a vehicle identification request may carry."""
    version, inverse, payload_type, length = _HEADER.unpack_from(data)
    allowed = version in SUPPORTED_VERSIONS or (
        any_version and version == IDENTIFICATION_REQUEST_VERSION
    )
    if not allowed or inverse != version ^ 0xFF:
        raise HeaderError(f"bad protocol version pattern {version:02X} {inverse:02X}")
    return Header(version=version, payload_type=payload_type, payload_length=length)


def pack_message(version: int, payload_type: int, payload: bytes | memoryview) -> bytes:
    return _HEADER.pack(version, version ^ 0xFF, payload_type, len(payload)) + payload


def generic_nack(version: int, code: GenericNackCode) -> bytes:
    return pack_message(version, PayloadType.GENERIC_NACK, bytes((code,)))


def routing_activation_response(
    version: int, *, tester: int, entity: int, code: RoutingActivationCode
) -> bytes:
    payload = struct.pack(">HHBI", tester, entity, code, 0)
    return pack_message(version, PayloadType.ROUTING_ACTIVATION_RESPONSE, payload)


def alive_check_response(version: int, *, source: int) -> bytes:
    return pack_message(version, PayloadType.ALIVE_CHECK_RESPONSE, source.to_bytes(2, "big"))


def diagnostic_message(
    version: int, *, source: int, target: int, user_data: bytes | memoryview
) -> bytes:
    return pack_message(
        version, PayloadType.DIAGNOSTIC_MESSAGE, struct.pack(">HH", source, target) + user_data
    )


def diagnostic_ack(
    version: int, *, source: int, target: int, previous: bytes | memoryview = b""
) -> bytes:
    payload = struct.pack(">HHB", source, target, 0x00) + previous
    return pack_message(version, PayloadType.DIAGNOSTIC_ACK, payload)


def diagnostic_nack(
    version: int,
    *,
    source: int,
    target: int,
    code: DiagnosticNackCode,
    previous: bytes | memoryview = b"",
) -> bytes:
    payload = struct.pack(">HHB", source, target, code) + previous
    return pack_message(version, PayloadType.DIAGNOSTIC_NACK, payload)


def vehicle_identification_response(
    version: int, *, vin: str, logical_address: int, eid: bytes, gid: bytes
) -> bytes:
    """Vehicle identification response / announcement: VIN, logical address, EID, GID, further
    action 0x00 (none needed) and VIN/GID sync status 0x00 (synchronised)."""
    payload = struct.pack(">17sH6s6sBB", vin.encode("ascii"), logical_address, eid, gid, 0x00, 0x00)
    return pack_message(version, PayloadType.VEHICLE_IDENTIFICATION_RESPONSE, payload)


def entity_status_response(
    version: int,
    *,
    node_type: NodeType,
    max_sockets: int,
    open_sockets: int,
    max_data_size: int | None,
) -> bytes:
    """DoIP entity status response: node type, the most TCP_DATA sockets the entity accepts at
    once, how many are open now, and (optional) the largest logical request it takes."""
    payload = struct.pack(">BBB", node_type, max_sockets, open_sockets)
    if max_data_size is not None:
        payload += struct.pack(">I", max_data_size)
    return pack_message(version, PayloadType.ENTITY_STATUS_RESPONSE, payload)


def diagnostic_power_mode_response(version: int, mode: PowerMode) -> bytes:
    return pack_message(version, PayloadType.DIAGNOSTIC_POWER_MODE_RESPONSE, bytes((mode,)))
