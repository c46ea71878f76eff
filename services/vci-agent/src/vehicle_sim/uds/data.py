"""Services 0x22 read and 0x2E write data by identifier."""

from aos_contracts import uds
from vehicle_sim.uds.constants import NRC
from vehicle_sim.uds.context import EcuContext
from vehicle_sim.uds.reply import NegativeResponseError, Reply

__all__ = ["DID", "read_data_by_identifier", "write_data_by_identifier"]


class DID:
    """The DIDs the simulated ECUs answer (numbers from ``aos_contracts.uds``)."""

    VIN = uds.DID_VIN
    APPLICATION_SOFTWARE_VERSION = uds.DID_SOFTWARE_VERSION
    SUPPLIER_SOFTWARE_VERSION = uds.DID_SUPPLIER_VERSION
    SERIAL_NUMBER = uds.DID_SERIAL_NUMBER
    FINGERPRINT = uds.DID_FINGERPRINT
    PROGRAMMING_DATE = uds.DID_PROGRAMMING_DATE
    # The supply (battery) voltage at the ECU; the agent reads it before and during a flash.
    BATTERY_VOLTAGE = uds.DID_BATTERY_VOLTAGE


# Writable DIDs and their exact data length in bytes.
_WRITABLE = {
    DID.FINGERPRINT: uds.FINGERPRINT_LENGTH,
    DID.PROGRAMMING_DATE: uds.PROGRAMMING_DATE_LENGTH,
}


def _read(ecu: EcuContext, did: int) -> bytes:
    state = ecu.persistent
    if did == DID.VIN:
        return ecu.vin.encode("ascii")
    if did == DID.APPLICATION_SOFTWARE_VERSION:
        # In the bootloader no valid application runs, so there is no version to report: an
        # empty answer is how a tester tells an interrupted flash.
        return b"" if state.in_bootloader else state.version.encode("ascii")
    if did == DID.SUPPLIER_SOFTWARE_VERSION:
        return ecu.config.supplier_version.encode("ascii")
    if did == DID.SERIAL_NUMBER:
        return ecu.config.serial_number.encode("ascii")
    if did == DID.FINGERPRINT:
        return bytes.fromhex(state.fingerprint_hex)
    if did == DID.PROGRAMMING_DATE:
        return bytes.fromhex(state.programming_date_hex)
    if did == DID.BATTERY_VOLTAGE:
        return uds.encode_battery_volts(ecu.battery.volts)
    raise NegativeResponseError(NRC.REQUEST_OUT_OF_RANGE)


def read_data_by_identifier(ecu: EcuContext, request: memoryview) -> Reply:
    """`22 <did>…` → `62 <did> <data>…` (several DIDs per request); unknown DID → 0x31."""
    if len(request) < 3 or len(request) % 2 == 0:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    parts = [b"\x62"]
    for i in range(1, len(request), 2):
        did = int.from_bytes(request[i : i + 2], "big")
        parts.append(did.to_bytes(2, "big"))
        parts.append(_read(ecu, did))
    return Reply(b"".join(parts))


def _is_bcd(data: bytes) -> bool:
    return all(byte >> 4 <= 9 and byte & 0x0F <= 9 for byte in data)


def write_data_by_identifier(ecu: EcuContext, request: memoryview) -> Reply:
    """`2E F198 <10 bytes>` / `2E F199 <YYMMDD BCD>` → `6E <did>` (programming session,
    unlocked: else 0x7F / 0x33). Other DIDs → 0x31, wrong data length → 0x13."""
    if len(request) < 4:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    did = int.from_bytes(request[1:3], "big")
    if did not in _WRITABLE:
        raise NegativeResponseError(NRC.REQUEST_OUT_OF_RANGE)
    ecu.require_unlocked()
    value = bytes(request[3:])
    if len(value) != _WRITABLE[did]:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    if did == DID.PROGRAMMING_DATE:
        if not _is_bcd(value):
            raise NegativeResponseError(NRC.REQUEST_OUT_OF_RANGE)
        ecu.persistent.programming_date_hex = value.hex()
    else:
        ecu.persistent.fingerprint_hex = value.hex()
    ecu.save()
    return Reply(b"\x6e" + did.to_bytes(2, "big"))
