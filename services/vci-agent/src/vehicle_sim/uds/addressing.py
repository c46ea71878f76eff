"""Memory address and size parameters (addressAndLengthFormatIdentifier 0x44 only)."""

from vehicle_sim.uds.constants import NRC
from vehicle_sim.uds.context import EcuContext
from vehicle_sim.uds.reply import NegativeResponseError

__all__ = ["ALFI", "PARAMETER_LENGTH", "parse_region_range"]

ALFI = 0x44  # 4-byte memory size, 4-byte memory address
PARAMETER_LENGTH = 9  # ALFI + address + size


def parse_region_range(ecu: EcuContext, params: memoryview) -> tuple[int, int]:
    """Parse `44 <address 4> <size 4>` and return (start, end) offsets inside the ECU region.

    Raises NegativeResponseError: 0x13 wrong length, 0x31 other ALFI, empty or outside region.
    """
    if len(params) < 1:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    if params[0] != ALFI:
        raise NegativeResponseError(NRC.REQUEST_OUT_OF_RANGE)
    if len(params) != PARAMETER_LENGTH:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    address = int.from_bytes(params[1:5], "big")
    size = int.from_bytes(params[5:9], "big")
    start = address - ecu.config.region_address
    if size == 0 or start < 0 or start + size > ecu.config.region_size:
        raise NegativeResponseError(NRC.REQUEST_OUT_OF_RANGE)
    return start, start + size
