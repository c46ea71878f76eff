"""Service 0x27 security access with the AOS-DEMO-1 seed/key algorithm."""

from typing import TYPE_CHECKING

from vehicle_sim.security import KEY_LENGTH, SEED_LENGTH, compute_key
from vehicle_sim.uds.constants import NRC, Session
from vehicle_sim.uds.reply import NegativeResponseError, Reply

if TYPE_CHECKING:
    from vehicle_sim.uds.server import EcuServer

__all__ = ["MAX_ATTEMPTS", "SEED_LEVELS", "security_access"]

# requestSeed level → the session it is available in (sendKey is level + 1).
SEED_LEVELS = {0x11: Session.PROGRAMMING, 0x01: Session.EXTENDED}
MAX_ATTEMPTS = 3


def security_access(ecu: "EcuServer", request: memoryview) -> Reply:
    """`27 11` → `67 11 <seed 4>` (zeros when unlocked); `27 12 <key 4>` → `67 12`.

    NRCs: 0x12 unknown level, 0x7E level not in this session, 0x13 wrong length, 0x24 key
    without a seed, 0x35 wrong key, 0x36 on the third wrong key, 0x37 while the delay runs.
    """
    if len(request) < 2:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    sub = request[1] & 0x7F
    seed_level = sub if sub % 2 else sub - 1
    if seed_level not in SEED_LEVELS:
        raise NegativeResponseError(NRC.SUB_FUNCTION_NOT_SUPPORTED)
    if SEED_LEVELS[seed_level] is not ecu.session:
        raise NegativeResponseError(NRC.SUB_FUNCTION_NOT_SUPPORTED_IN_ACTIVE_SESSION)
    if sub == seed_level:
        return _request_seed(ecu, request, seed_level)
    return _send_key(ecu, request, seed_level)


def _request_seed(ecu: "EcuServer", request: memoryview, level: int) -> Reply:
    if len(request) != 2:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    if ecu.clock() < ecu.security_locked_until:
        raise NegativeResponseError(NRC.REQUIRED_TIME_DELAY_NOT_EXPIRED)
    if ecu.volatile.unlocked_level == level:
        seed = bytes(SEED_LENGTH)
    else:
        seed = ecu.seed_source()
        ecu.volatile.pending_seed = (level, seed)
    return Reply(bytes((0x67, level)) + seed)


def _send_key(ecu: "EcuServer", request: memoryview, level: int) -> Reply:
    if len(request) != 2 + KEY_LENGTH:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    pending = ecu.volatile.pending_seed
    if pending is None or pending[0] != level:
        raise NegativeResponseError(NRC.REQUEST_SEQUENCE_ERROR)
    # A seed answers one key only, right or wrong.
    ecu.volatile.pending_seed = None
    expected = compute_key(ecu.config.secret, seed_level=level, seed=pending[1])
    if bytes(request[2:]) != expected:
        ecu.failed_key_attempts += 1
        if ecu.failed_key_attempts >= MAX_ATTEMPTS:
            ecu.failed_key_attempts = 0
            ecu.security_locked_until = ecu.clock() + ecu.config.security_delay_s
            raise NegativeResponseError(NRC.EXCEEDED_NUMBER_OF_ATTEMPTS)
        raise NegativeResponseError(NRC.INVALID_KEY)
    ecu.failed_key_attempts = 0
    ecu.volatile.unlocked_level = level
    return Reply(bytes((0x67, level + 1)))
