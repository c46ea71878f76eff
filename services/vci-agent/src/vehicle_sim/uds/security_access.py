"""Service 0x27 security access with the ECU's seed/key algorithm (``EcuConfig.security_algorithm``,
AOS-DEMO-1 unless configured otherwise)."""

from aos_contracts.uds import SEED_LEVEL_EXTENDED, SEED_LEVEL_PROGRAMMING
from vehicle_sim.security import KEY_LENGTH, SEED_LENGTH, compute_key
from vehicle_sim.uds.constants import NRC, Session
from vehicle_sim.uds.context import EcuContext
from vehicle_sim.uds.reply import NegativeResponseError, Reply

__all__ = ["MAX_ATTEMPTS", "SEED_LEVELS", "security_access"]

# requestSeed level → the session it is available in (sendKey is level + 1).
SEED_LEVELS = {SEED_LEVEL_PROGRAMMING: Session.PROGRAMMING, SEED_LEVEL_EXTENDED: Session.EXTENDED}
MAX_ATTEMPTS = 3


def security_access(ecu: EcuContext, request: memoryview) -> Reply:
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


def _request_seed(ecu: EcuContext, request: memoryview, level: int) -> Reply:
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


def _send_key(ecu: EcuContext, request: memoryview, level: int) -> Reply:
    if len(request) != 2 + KEY_LENGTH:
        raise NegativeResponseError(NRC.INCORRECT_MESSAGE_LENGTH)
    pending = ecu.volatile.pending_seed
    if pending is None or pending[0] != level:
        raise NegativeResponseError(NRC.REQUEST_SEQUENCE_ERROR)
    # A seed answers one key only, right or wrong.
    ecu.volatile.pending_seed = None
    expected = compute_key(
        ecu.config.secret,
        seed_level=level,
        seed=pending[1],
        algorithm=ecu.config.security_algorithm,
    )
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
