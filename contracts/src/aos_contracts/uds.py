"""UDS (ISO 14229-1) numbers of the AOS flash sequence: DIDs, routine identifiers and security
levels that the agent asks for and the simulated ECUs answer."""

from __future__ import annotations

__all__ = [
    "BATTERY_VOLTAGE_LENGTH",
    "DID_BATTERY_VOLTAGE",
    "DID_FINGERPRINT",
    "DID_PROGRAMMING_DATE",
    "DID_SERIAL_NUMBER",
    "DID_SOFTWARE_VERSION",
    "DID_SUPPLIER_VERSION",
    "DID_VIN",
    "FINGERPRINT_LENGTH",
    "PROGRAMMING_DATE_LENGTH",
    "ROUTINE_CHECK_DEPENDENCIES",
    "ROUTINE_CHECK_MEMORY",
    "ROUTINE_ERASE_MEMORY",
    "SEED_LEVEL_EXTENDED",
    "SEED_LEVEL_PROGRAMMING",
    "decode_battery_volts",
    "encode_battery_volts",
]

DID_VIN = 0xF190
DID_SOFTWARE_VERSION = 0xF189  # application software version, ASCII
DID_SUPPLIER_VERSION = 0xF195
DID_SERIAL_NUMBER = 0xF18C
DID_FINGERPRINT = 0xF198  # written before erase: FINGERPRINT_LENGTH bytes
DID_PROGRAMMING_DATE = 0xF199  # written before erase: YYMMDD in BCD
# Vehicle-manufacturer-specific range (0x0100-0xA5FF): the supply (battery) voltage at the ECU,
# unsigned 16 bits big-endian in millivolts. An ECU without it answers NRC 0x31.
DID_BATTERY_VOLTAGE = 0x0120

FINGERPRINT_LENGTH = 10
PROGRAMMING_DATE_LENGTH = 3
BATTERY_VOLTAGE_LENGTH = 2

# RoutineControl (0x31) identifiers.
ROUTINE_ERASE_MEMORY = 0xFF00  # option record: 44 <address 4> <size 4>
ROUTINE_CHECK_MEMORY = 0x0202  # option record: CRC-32 of the whole image, uint32
ROUTINE_CHECK_DEPENDENCIES = 0xFF01  # no option record

# SecurityAccess (0x27) requestSeed levels; sendKey is level + 1.
SEED_LEVEL_PROGRAMMING = 0x11
SEED_LEVEL_EXTENDED = 0x01


def encode_battery_volts(volts: float) -> bytes:
    """The DID 0x0120 data for ``volts``: millivolts, saturated to 0..0xFFFF."""
    return min(max(round(volts * 1000), 0), 0xFFFF).to_bytes(BATTERY_VOLTAGE_LENGTH, "big")


def decode_battery_volts(data: bytes | bytearray | memoryview) -> float:
    """Volts from DID 0x0120 data; raises ValueError when it is not 2 bytes."""
    if len(data) != BATTERY_VOLTAGE_LENGTH:
        raise ValueError(f"battery voltage is {BATTERY_VOLTAGE_LENGTH} bytes, got {len(data)}")
    return int.from_bytes(bytes(data), "big") / 1000
