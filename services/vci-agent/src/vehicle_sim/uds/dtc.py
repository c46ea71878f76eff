"""Service 0x19 ReadDTCInformation: the ECU's stored DTCs (from its config), read-only."""

from vehicle_sim.uds.constants import NRC
from vehicle_sim.uds.context import EcuContext
from vehicle_sim.uds.reply import NegativeResponseError, Reply

__all__ = [
    "DTC_FORMAT_ISO14229_1",
    "STATUS_AVAILABILITY_MASK",
    "read_dtc_information",
]

# Every status bit of ISO 14229-1 (testFailed ... warningIndicatorRequested) is supported.
STATUS_AVAILABILITY_MASK = 0xFF
DTC_FORMAT_ISO14229_1 = 0x01

_REPORT_NUMBER_BY_STATUS_MASK = 0x01
_REPORT_BY_STATUS_MASK = 0x02
_REPORT_SUPPORTED = 0x0A


def _records(dtcs: tuple[tuple[int, int], ...]) -> bytes:
    return b"".join(code.to_bytes(3, "big") + bytes((status,)) for code, status in dtcs)


def read_dtc_information(ecu: EcuContext, request: memoryview) -> Reply:
    """`19 01 <mask>` → `59 01 FF 01 <count, 2 bytes>`; `19 02 <mask>` → `59 02 FF` then
    `<DTC, 3 bytes> <status>` for each DTC whose status has a bit of the mask; `19 0A` →
    `59 0A FF` and every DTC the ECU knows. Other sub-functions → 0x12, wrong length → 0x13."""
    if len(request) < 2:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    sub, suppress = request[1] & 0x7F, bool(request[1] & 0x80)
    dtcs = ecu.config.dtcs
    if sub in (_REPORT_NUMBER_BY_STATUS_MASK, _REPORT_BY_STATUS_MASK):
        if len(request) != 3:
            raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
        mask = request[2]
        matching = tuple((code, status) for code, status in dtcs if status & mask)
        head = bytes((0x59, sub, STATUS_AVAILABILITY_MASK))
        if sub == _REPORT_NUMBER_BY_STATUS_MASK:
            body = bytes((DTC_FORMAT_ISO14229_1,)) + len(matching).to_bytes(2, "big")
        else:
            body = _records(matching)
        return Reply(None if suppress else head + body)
    if sub == _REPORT_SUPPORTED:
        if len(request) != 2:
            raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
        response = bytes((0x59, sub, STATUS_AVAILABILITY_MASK)) + _records(dtcs)
        return Reply(None if suppress else response)
    raise NegativeResponseError(NRC.SUB_FUNCTION_NOT_SUPPORTED)
