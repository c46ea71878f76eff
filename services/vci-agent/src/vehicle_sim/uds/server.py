"""One ECU's UDS server: pure and synchronous, request bytes in, Reply out."""

import time
from collections.abc import Callable

from vehicle_sim.battery import Battery
from vehicle_sim.config import EcuConfig
from vehicle_sim.image import HEADER_SIZE, parse_header
from vehicle_sim.security import new_seed
from vehicle_sim.storage import EcuStorage, PersistentState
from vehicle_sim.uds import data, dtc, routines, security_access, session, transfer
from vehicle_sim.uds.constants import NRC, SID, Session
from vehicle_sim.uds.context import EcuContext
from vehicle_sim.uds.reply import NegativeResponseError, Reply, negative_response
from vehicle_sim.uds.state import VolatileState

__all__ = ["FUNCTIONAL_SILENT_NRCS", "S3_SERVER_S", "SAVE_INTERVAL_S", "EcuServer"]

SAVE_INTERVAL_S = 0.5
# ISO 14229-2 S3server: a non-default session with no request for this long falls back to the
# default session (security locked, any download aborted), as a real ECU does when its tester
# is gone. A tester keeps it alive with TesterPresent (3E 80).
S3_SERVER_S = 5.0

# ISO 14229-1 (7.5): an ECU does not answer a functionally addressed request with these NRCs
# (service or sub-function not supported, also not in the active session, request out of range):
# a request meant for some ECUs of the vehicle does not draw refusals from all the others.
FUNCTIONAL_SILENT_NRCS = frozenset(
    {
        NRC.SERVICE_NOT_SUPPORTED,
        NRC.SUB_FUNCTION_NOT_SUPPORTED,
        NRC.REQUEST_OUT_OF_RANGE,
        NRC.SUB_FUNCTION_NOT_SUPPORTED_IN_ACTIVE_SESSION,
        NRC.SERVICE_NOT_SUPPORTED_IN_ACTIVE_SESSION,
    }
)

Handler = Callable[[EcuContext, memoryview], Reply]

_ALL = frozenset(Session)
_NON_DEFAULT = frozenset({Session.EXTENDED, Session.PROGRAMMING})
_PROGRAMMING = frozenset({Session.PROGRAMMING})

# Service → (handler, sessions in which it is supported); anything else answers NRC 0x11.
_SERVICES: dict[int, tuple[Handler, frozenset[Session]]] = {
    SID.DIAGNOSTIC_SESSION_CONTROL: (session.diagnostic_session_control, _ALL),
    SID.ECU_RESET: (session.ecu_reset, _ALL),
    SID.TESTER_PRESENT: (session.tester_present, _ALL),
    SID.COMMUNICATION_CONTROL: (session.communication_control, _NON_DEFAULT),
    SID.CONTROL_DTC_SETTING: (session.control_dtc_setting, _NON_DEFAULT),
    SID.SECURITY_ACCESS: (security_access.security_access, _NON_DEFAULT),
    SID.READ_DATA_BY_IDENTIFIER: (data.read_data_by_identifier, _ALL),
    SID.READ_DTC_INFORMATION: (dtc.read_dtc_information, _ALL),
    SID.WRITE_DATA_BY_IDENTIFIER: (data.write_data_by_identifier, _PROGRAMMING),
    SID.ROUTINE_CONTROL: (routines.routine_control, _PROGRAMMING),
    SID.REQUEST_DOWNLOAD: (transfer.request_download, _PROGRAMMING),
    SID.TRANSFER_DATA: (transfer.transfer_data, _PROGRAMMING),
    SID.REQUEST_TRANSFER_EXIT: (transfer.request_transfer_exit, _PROGRAMMING),
}


class EcuServer:
    """UDS server of one simulated ECU with its sessions, security access, DIDs, routines,
    download and reset. Persistent state goes through ``storage``; ``clock`` (seconds,
    monotonic) and ``seed_source`` are injectable for exact tests; ``battery`` is the supply
    voltage DID 0x0120 reports.

    The S3 timer is evaluated against ``clock`` whenever the server is asked (a request, or
    ``session``/``unlocked``), so a stopped test clock never lets a session lapse.
    """

    def __init__(
        self,
        config: EcuConfig,
        *,
        vin: str,
        storage: EcuStorage,
        clock: Callable[[], float] = time.monotonic,
        seed_source: Callable[[], bytes] = new_seed,
        battery: Battery | None = None,
    ) -> None:
        if storage.size != config.region_size:
            raise ValueError("storage size must equal the ECU's region size")
        self.config = config
        self.vin = vin
        self.storage = storage
        self.clock = clock
        self.seed_source = seed_source
        # The vehicle's battery (shared by its ECUs); an ECU on its own gets one of its own.
        self.battery = battery or Battery(clock=clock)
        self.persistent = storage.load_state() or PersistentState(version=config.version)
        self.volatile = VolatileState()
        self.failed_key_attempts = 0
        self.security_locked_until = 0.0
        self._last_save = float("-inf")
        # When the S3 timer last started: the end of the last request's answer.
        self.last_request_done_at = clock()
        self.s3_fallbacks = 0

    @property
    def address(self) -> int:
        return self.config.logical_address

    @property
    def session(self) -> Session:
        self.expire_idle_session()
        return self.volatile.session

    @property
    def unlocked(self) -> bool:
        self.expire_idle_session()
        return self.volatile.unlocked_level is not None

    def expire_idle_session(self) -> None:
        """Fall back to the default session when S3 has run out (see S3_SERVER_S)."""
        if (
            self.volatile.session is not Session.DEFAULT
            and self.clock() - self.last_request_done_at >= S3_SERVER_S
        ):
            self.enter_session(Session.DEFAULT)
            self.s3_fallbacks += 1

    def handle(self, request: bytes | bytearray | memoryview, *, functional: bool = False) -> Reply:
        """Process one UDS request and return the reply (never raises for bad input).

        ``functional``: the request was functionally addressed (to every ECU); then the
        negative responses of FUNCTIONAL_SILENT_NRCS are not sent (the reply is None)."""
        view = memoryview(request)
        if len(view) == 0:
            return Reply(None)
        self.expire_idle_session()
        reply = self._dispatch(view)
        # S3 restarts when the answer is complete: after a 0x78-pending phase (the erase) the
        # tester cannot send before then.
        self.last_request_done_at = self.clock() + reply.pending_s
        response = reply.response
        if (
            functional
            and response is not None
            and len(response) == 3
            and response[0] == 0x7F
            and response[2] in FUNCTIONAL_SILENT_NRCS
        ):
            return Reply(None)
        return reply

    def _dispatch(self, view: memoryview) -> Reply:
        sid = view[0]
        entry = _SERVICES.get(sid)
        if entry is None:
            return Reply(negative_response(sid, NRC.SERVICE_NOT_SUPPORTED))
        handler, sessions = entry
        if self.volatile.session not in sessions:
            return Reply(negative_response(sid, NRC.SERVICE_NOT_SUPPORTED_IN_ACTIVE_SESSION))
        try:
            return handler(self, view)
        except NegativeResponseError as exc:
            return Reply(negative_response(sid, exc.nrc))

    def require_unlocked(self) -> None:
        """Raises NegativeResponseError(0x33) unless security access is granted."""
        if not self.unlocked:
            raise NegativeResponseError(NRC.SECURITY_ACCESS_DENIED)

    def enter_session(self, new_session: Session) -> None:
        """Switch session: security is locked again and any download is aborted."""
        self.volatile = VolatileState(
            session=new_session,
            communication_control=self.volatile.communication_control,
            dtc_setting_on=self.volatile.dtc_setting_on,
        )

    def save(self) -> None:
        self.storage.save_state(self.persistent)
        self._last_save = self.clock()

    def save_soon(self) -> None:
        """Save at most every SAVE_INTERVAL_S: per-block progress would otherwise cost more
        than the block write. Power loss, reset and close() always save."""
        if self.clock() - self._last_save >= SAVE_INTERVAL_S:
            self.save()

    def reset(self) -> None:
        """ECU reset or power-on: volatile state is lost. A verified image (check memory and
        dependency check passed) becomes the running application and its version is read
        from the image header."""
        self.volatile = VolatileState()
        state = self.persistent
        if state.crc_ok and state.dependencies_ok:
            header = parse_header(self.storage.read(state.written_start, HEADER_SIZE))
            if header is not None:
                state.version = header.version
                state.in_bootloader = False
                state.erased = False
            state.crc_ok = state.dependencies_ok = False
        self.save()

    def power_loss(self, partial_write: memoryview | None = None) -> None:
        """Simulate power loss: while a download is active, write the first half of
        ``partial_write`` (the interrupted block's data), then lose all volatile state."""
        download = self.volatile.download
        if download is not None and partial_write is not None:
            half = partial_write[: len(partial_write) // 2]
            room = download.end - download.next_offset
            self.storage.write(download.next_offset, half[:room])
        self.volatile = VolatileState()
        self.save()

    def close(self) -> None:
        self.save()
        self.storage.close()
