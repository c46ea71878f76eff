"""Services 0x10 session control, 0x11 ECU reset, 0x3E tester present, 0x28 communication
control and 0x85 DTC setting."""

from vehicle_sim.uds.constants import NRC, Session
from vehicle_sim.uds.context import EcuContext
from vehicle_sim.uds.reply import NegativeResponseError, Reply

__all__ = [
    "P2_MS",
    "P2_STAR_10MS",
    "communication_control",
    "control_dtc_setting",
    "diagnostic_session_control",
    "ecu_reset",
    "tester_present",
]

SUPPRESS = 0x80
P2_MS = 50  # P2server_max, 1 ms resolution
P2_STAR_10MS = 500  # P2*server_max, 10 ms resolution (5 s)


def _sub_function(request: memoryview, length: int) -> tuple[int, bool]:
    if len(request) != length:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    return request[1] & 0x7F, bool(request[1] & SUPPRESS)


def diagnostic_session_control(ecu: EcuContext, request: memoryview) -> Reply:
    """`10 xx` → `50 xx 00 32 01 F4`; programming (02) only from extended or programming
    (else 0x22) and answered 0x78 pending first."""
    sub, suppress = _sub_function(request, 2)
    if sub not in Session.__members__.values():
        raise NegativeResponseError(NRC.SUB_FUNCTION_NOT_SUPPORTED)
    target = Session(sub)
    if target is Session.PROGRAMMING and ecu.session is Session.DEFAULT:
        raise NegativeResponseError(NRC.CONDITIONS_NOT_CORRECT)
    ecu.enter_session(target)
    response = bytes((0x50, sub)) + P2_MS.to_bytes(2, "big") + P2_STAR_10MS.to_bytes(2, "big")
    if target is Session.PROGRAMMING:
        return Reply(response, pending_s=ecu.config.session_switch_time_s)
    return Reply(None if suppress else response)


def ecu_reset(ecu: EcuContext, request: memoryview) -> Reply:
    """`11 01` (hard) or `11 03` (soft) → `51 xx`, then the ECU resets (see EcuServer.reset)."""
    sub, suppress = _sub_function(request, 2)
    if sub not in (0x01, 0x03):
        raise NegativeResponseError(NRC.SUB_FUNCTION_NOT_SUPPORTED)
    ecu.reset()
    return Reply(None if suppress else bytes((0x51, sub)))


def tester_present(ecu: EcuContext, request: memoryview) -> Reply:
    """`3E 00` → `7E 00`; `3E 80` → no response."""
    sub, suppress = _sub_function(request, 2)
    if sub != 0x00:
        raise NegativeResponseError(NRC.SUB_FUNCTION_NOT_SUPPORTED)
    return Reply(None if suppress else b"\x7e\x00")


def communication_control(ecu: EcuContext, request: memoryview) -> Reply:
    """`28 cc tt` (cc 00/01/02/03, tt communication type) → `68 cc`."""
    if len(request) < 2:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    sub, suppress = request[1] & 0x7F, bool(request[1] & SUPPRESS)
    if sub > 0x03:
        raise NegativeResponseError(NRC.SUB_FUNCTION_NOT_SUPPORTED)
    if len(request) != 3:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    if request[2] & 0x03 == 0:
        raise NegativeResponseError(NRC.REQUEST_OUT_OF_RANGE)
    ecu.volatile.communication_control = sub
    return Reply(None if suppress else bytes((0x68, sub)))


def control_dtc_setting(ecu: EcuContext, request: memoryview) -> Reply:
    """`85 01` (on) / `85 02` (off), optional option record → `C5 xx`."""
    if len(request) < 2:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    sub, suppress = request[1] & 0x7F, bool(request[1] & SUPPRESS)
    if sub not in (0x01, 0x02):
        raise NegativeResponseError(NRC.SUB_FUNCTION_NOT_SUPPORTED)
    ecu.volatile.dtc_setting_on = sub == 0x01
    return Reply(None if suppress else bytes((0xC5, sub)))
