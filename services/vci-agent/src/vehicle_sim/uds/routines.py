"""Service 0x31 routine control: FF00 erase, 0202 check memory, FF01 check dependencies."""

from aos_contracts.uds import (
    ROUTINE_CHECK_DEPENDENCIES,
    ROUTINE_CHECK_MEMORY,
    ROUTINE_ERASE_MEMORY,
)
from vehicle_sim.image import HEADER_SIZE, parse_header
from vehicle_sim.uds.addressing import parse_region_range
from vehicle_sim.uds.constants import NRC
from vehicle_sim.uds.context import EcuContext
from vehicle_sim.uds.reply import NegativeResponseError, Reply

__all__ = ["CHECK_DEPENDENCIES", "CHECK_MEMORY", "ERASE_MEMORY", "routine_control"]

ERASE_MEMORY = ROUTINE_ERASE_MEMORY
CHECK_MEMORY = ROUTINE_CHECK_MEMORY
CHECK_DEPENDENCIES = ROUTINE_CHECK_DEPENDENCIES
START_ROUTINE = 0x01
_CORRECT, _INCORRECT = 0x00, 0x01


def routine_control(ecu: EcuContext, request: memoryview) -> Reply:
    """`31 01 <rid> <option record>` → `71 01 <rid> <status>`.

    Only startRoutine (01) in the unlocked programming session (0x12 other sub-functions, 0x33
    locked, 0x31 unknown routine or bad parameters, 0x13 wrong length, 0x24 out of order).
    """
    if len(request) < 4:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    if request[1] & 0x7F != START_ROUTINE:
        raise NegativeResponseError(NRC.SUB_FUNCTION_NOT_SUPPORTED)
    ecu.require_unlocked()
    routine = int.from_bytes(request[2:4], "big")
    params = request[4:]
    if routine == ERASE_MEMORY:
        return _erase(ecu, params)
    if routine == CHECK_MEMORY:
        return _check_memory(ecu, params)
    if routine == CHECK_DEPENDENCIES:
        return _check_dependencies(ecu, params)
    raise NegativeResponseError(NRC.REQUEST_OUT_OF_RANGE)


def _answer(routine: int, status: int) -> bytes:
    return b"\x71\x01" + routine.to_bytes(2, "big") + bytes((status,))


def _erase(ecu: EcuContext, params: memoryview) -> Reply:
    # Any range inside the region is accepted; the whole region is erased.
    parse_region_range(ecu, params)
    ecu.volatile.download = None
    ecu.storage.erase()
    state = ecu.persistent
    state.erased = state.in_bootloader = True
    state.written_start = state.written_end = 0
    state.crc_ok = state.dependencies_ok = False
    ecu.save()
    return Reply(_answer(ERASE_MEMORY, _CORRECT), pending_s=ecu.config.erase_time_s)


def _check_memory(ecu: EcuContext, params: memoryview) -> Reply:
    if len(params) != 4:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    state = ecu.persistent
    if ecu.volatile.download is not None or state.written_end <= state.written_start:
        raise NegativeResponseError(NRC.REQUEST_SEQUENCE_ERROR)
    actual = ecu.storage.crc32(state.written_start, state.written_end - state.written_start)
    state.crc_ok = actual == int.from_bytes(params, "big")
    state.dependencies_ok = False
    ecu.save()
    return Reply(_answer(CHECK_MEMORY, _CORRECT if state.crc_ok else _INCORRECT))


def _check_dependencies(ecu: EcuContext, params: memoryview) -> Reply:
    if len(params) != 0:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    state = ecu.persistent
    header = parse_header(ecu.storage.read(state.written_start, HEADER_SIZE))
    image_size = state.written_end - state.written_start
    state.dependencies_ok = (
        state.crc_ok
        and header is not None
        and header.ecu_type == ecu.config.ecu_type
        and HEADER_SIZE + header.payload_length == image_size
    )
    ecu.save()
    return Reply(_answer(CHECK_DEPENDENCIES, _CORRECT if state.dependencies_ok else _INCORRECT))
