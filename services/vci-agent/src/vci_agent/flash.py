"""The ISO 14229 flash sequence for one ECU, with retry, journal and resume.

22 0120 (battery voltage) → 10 03 → 85 02 → 28 03 01 → 10 02 → 27 (key from the injected
provider) → 2E F198/F199 → 31 01 FF00 erase → 34 → 36… (22 0120 every N blocks) → 37 →
31 01 0202 (CRC-32 of the whole image) → 31 01 FF01 → 11 01 → reconnect and read F189 back.

* A lost 0x36 answer is retried with the SAME block counter (the ECU acknowledges a repeat
  without rewriting), up to ``FlashOptions.block_retries`` times. A repeat answered "not in
  this session" (the ECU restarted: a power loss on CAN) is resumed like a link loss.
* A link or power loss is resumed from the journal: programming session and unlock again,
  then RequestDownload at ``address + acked`` for ``size - acked`` with the counter back at 1;
  if the ECU refuses, erase and restart. The final check memory (over the whole image) decides.
* While the ECU does not answer (a power loss lasts seconds to minutes: a technician
  reconnecting a charger), the flasher keeps trying to resume with capped exponential backoff
  for ``FlashOptions.resume_window`` seconds from the start of the outage, reporting the
  ``WAITING_FOR_ECU`` phase before each wait. Only when the window is over does ``run`` give
  up (``FlashInterruptedError``); the journal still holds the job.
* Every UDS exchange is counted per service and NRC into the journal entry
  (``trace_summary``), so the job's result carries its whole trace summary.
* While the flasher waits with the ECU in a non-default session (for the security key from the
  service), it sends TesterPresent ``3E 80`` every ``FlashOptions.tester_present_interval``
  seconds, so the ECU's S3 timer (5 s in ISO 14229-2) does not drop it back to the default
  session. It is sent functionally addressed, as testers do (DoIP: to the vehicle's functional
  logical address over the same socket; CAN: on the functional id 0x7DF), when the connection
  offers ``send_functional(payload)``; physically to the ECU being flashed otherwise. Every
  ECU keeps its session then; no ECU answers (suppressed positive response). A key that is
  answered "not in this session" anyway (the session lapsed) fails the flash clearly; the
  flasher does not re-enter the session and ask the service for another key on its own (see
  ``_prepare``).
* The vehicle's battery voltage is read before anything is changed on the ECU, from the
  interface when it measures it (a J2534 device's READ_VBATT, see ``BatteryVoltmeter``), else
  from the ECU (DID 0x0120):
  below ``FlashOptions.min_start_volts`` a job that has erased nothing yet is REFUSED ("connect
  a charger", ``FlashRefusedError``). During the transfer it is read every
  ``voltage_every_blocks`` blocks; below ``min_flash_volts`` the flash pauses (no TransferData,
  TesterPresent keeps the session, WAITING_FOR_VOLTAGE is reported) until the voltage is back at
  ``min_start_volts``, then goes on; after ``voltage_pause_limit`` seconds it stops resumable
  (``LowVoltageError``, the journal holds the job). An ECU that refuses the DID (any NRC) is
  flashed without the watch. The readings (first, lowest, highest) go into the journal entry.

Blocking (udsoncan is synchronous): async callers run ``Flasher.run`` in a thread and pass their
event loop so an async key provider can be awaited there.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import logging
import threading
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from udsoncan import DataFormatIdentifier, MemoryLocation
from udsoncan.client import Client
from udsoncan.connections import BaseConnection
from udsoncan.exceptions import (
    InvalidResponseException,
    NegativeResponseException,
    TimeoutException,
    UnexpectedResponseException,
)
from udsoncan.typing import ClientConfig

from aos_contracts.uds import (
    ROUTINE_CHECK_DEPENDENCIES,
    ROUTINE_CHECK_MEMORY,
    ROUTINE_ERASE_MEMORY,
    SEED_LEVEL_PROGRAMMING,
)
from vci_agent.image import VerifiedImage
from vci_agent.journal import JobPhase, JobResultState, Journal, JournalEntry
from vci_agent.keys import KeyProvider
from vci_agent.transport.battery import BatteryVoltmeter
from vci_agent.transport.tracing import TraceRecord, TracingConnection
from vci_agent.uds import (
    DID_BATTERY_VOLTAGE,
    DID_FINGERPRINT,
    DID_PROGRAMMING_DATE,
    DID_SOFTWARE_VERSION,
    UdsTiming,
    client_config,
)

__all__ = [
    "FlashError",
    "FlashFailedError",
    "FlashInterruptedError",
    "FlashOptions",
    "FlashProgress",
    "FlashRefusedError",
    "Flasher",
    "LowVoltageError",
]

_ALFI_32_32 = 0x44
# TesterPresent with suppressPosRspMsgIndicationBit: the ECU restarts S3 and sends nothing.
TESTER_PRESENT_SUPPRESSED = b"\x3e\x80"
# NRCs to the sendKey after a wait that mean the ECU is no longer in the session that gave the
# seed: service (0x7F) or level (0x7E) not supported in the active session, or no seed pending
# (0x24, the session change discarded it).
_SESSION_LOST_NRCS = frozenset({0x7F, 0x7E, 0x24})
# Problems after which a fresh connection and a resume make sense: TCP reset, DoIP NACK, no
# answer, or an answer that belongs to an earlier request (a late reply after a retry leaves
# the stream one answer behind; a new connection starts clean).
_LINK_ERRORS = (
    TimeoutException,
    OSError,
    EOFError,
    UnexpectedResponseException,
    InvalidResponseException,
)

_log = logging.getLogger(__name__)


class FlashError(Exception):
    """Base class of flash errors; the journal holds the job's state."""


class FlashFailedError(FlashError):
    """The ECU refused the sequence or the image (NRC, CRC or dependency check)."""

    def __init__(self, message: str, entry: JournalEntry | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.entry = entry


class FlashRefusedError(FlashFailedError):
    """The job did not start: a condition of the vehicle (its battery voltage) was not met.
    Nothing was changed on the ECU; the entry is saved with result refused."""


class FlashInterruptedError(FlashError):
    """The ECU did not answer again within the resume window (or the attempts allowed); the
    journal still holds the job, so it is resumable. ``entry`` is its journal entry."""

    def __init__(self, message: str, entry: JournalEntry) -> None:
        super().__init__(message)
        self.entry = entry


class LowVoltageError(FlashInterruptedError):
    """The battery voltage stayed below the flash threshold for the whole pause limit; the
    flash stopped between two blocks and the journal holds the job (resumable)."""


@dataclass(frozen=True, slots=True)
class FlashProgress:
    """``bytes_done``/``bytes_total`` of the image; ``block_counter`` of the last 0x36."""

    phase: JobPhase
    bytes_done: int
    bytes_total: int
    block_counter: int


@dataclass(frozen=True, slots=True)
class FlashOptions:
    """``block_size``: data bytes per 0x36 (capped by the ECU's maxNumberOfBlockLength - 2).
    ``erase_address``/``erase_size``: the region FF00 erases (default: the image's extent).
    Times in seconds. After a link or power loss the flasher tries again after
    ``reconnect_delay``, doubling up to ``reconnect_delay_cap``, until ``resume_window`` has
    passed since the outage began (progress of the transfer starts a new window);
    ``resume_attempts``, when set, also caps the attempts per ``run``.
    ``tester_present_interval``: while waiting in a non-default session the flasher sends
    TesterPresent ``3E 80`` this often (under the ECU's S3 of 5 s); None sends none.
    Battery volts: below ``min_start_volts`` a job does not start (None: not read at all);
    during the transfer, read every ``voltage_every_blocks`` blocks, below ``min_flash_volts``
    the flash pauses, reading again every ``voltage_poll_interval`` seconds, until it is back
    at ``min_start_volts``, for at most ``voltage_pause_limit`` seconds."""

    security_level: int = SEED_LEVEL_PROGRAMMING
    block_size: int | None = None
    erase_address: int | None = None
    erase_size: int | None = None
    block_retries: int = 3
    resume_window: float = 300.0
    resume_attempts: int | None = None
    reconnect_delay: float = 0.5
    reconnect_delay_cap: float = 5.0
    reset_wait: float = 0.5
    journal_every_bytes: int = 64 * 1024
    fingerprint: bytes = b"AOSVCI\x00\x00\x00\x01"
    timing: UdsTiming = field(default_factory=UdsTiming)
    tester_present_interval: float | None = 2.0
    min_start_volts: float | None = 12.5
    min_flash_volts: float = 12.0
    voltage_every_blocks: int = 16
    voltage_poll_interval: float = 2.0
    voltage_pause_limit: float = 300.0


class _RestartFromErase(Exception):
    """Internal: the resumed state is unusable; erase and write the whole image again."""


class Flasher:
    """Flashes one verified image into one ECU; see the module docstring for the sequence.

    ``clock`` (monotonic seconds) and ``sleep`` time the waits for an ECU that does not answer;
    tests inject both to let minutes pass at once."""

    def __init__(
        self,
        connect: Callable[[], BaseConnection],
        journal: Journal,
        *,
        key_for: KeyProvider,
        options: FlashOptions | None = None,
        on_progress: Callable[[FlashProgress], None] | None = None,
        on_trace: Callable[[TraceRecord], None] | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._connect = connect
        self._journal = journal
        self._key_for = key_for
        self._options = options or FlashOptions()
        self._on_progress = on_progress or (lambda _progress: None)
        self._on_trace = on_trace or (lambda _record: None)
        self._loop = loop
        self._clock = clock
        self._sleep = sleep
        # The connection of the running attempt and its trace sink, for TesterPresent.
        self._live: tuple[TracingConnection, Callable[[TraceRecord], None]] | None = None
        self._key_asked = False

    def run(self, image: VerifiedImage, entry: JournalEntry) -> JournalEntry:
        """Flash ``image`` for the job ``entry`` (fresh or interrupted) and return the final entry.

        Raises ``FlashFailedError`` (entry saved with result failed),
        ``FlashInterruptedError`` (the ECU did not answer within the resume window; entry saved
        unfinished, resumable by calling ``run`` again) and ``FlashError`` for an entry that
        already has a result.
        """
        if entry.image_sha256 != image.sha256.hex() or entry.image_size != image.size:
            raise FlashFailedError("the journal belongs to a different image")
        if entry.finished:
            raise FlashError(f"job {entry.job_id} already finished: {entry.result}")
        if entry.erased and entry.acked_offset > 0 and not entry.finished:
            entry = self._journal.update(entry, resumed_times=entry.resumed_times + 1)
        attempts = 0
        outage: _Outage | None = None
        while True:
            try:
                return self._attempt(image, entry)
            except _Interrupted as interrupted:
                if outage is None or interrupted.entry.acked_offset > entry.acked_offset:
                    # The first loss, or the ECU took more of the image since: a new outage.
                    outage = _Outage(self._clock())
                entry = interrupted.entry
                attempts += 1
                limit = self._options.resume_attempts
                if (limit is not None and attempts > limit) or self._window_over(outage):
                    raise FlashInterruptedError(
                        f"ECU 0x{entry.ecu_logical_address:04X} did not answer for "
                        f"{self._clock() - outage.since:.0f} s; the flash stands at byte "
                        f"{entry.acked_offset} of {entry.image_size}: {interrupted.cause}",
                        entry,
                    ) from interrupted.cause
                entry = self._journal.update(entry, resumed_times=entry.resumed_times + 1)
                self._wait_for_ecu(outage, entry)
            except FlashFailedError as failed:
                refused = isinstance(failed, FlashRefusedError)
                failed.entry = self._journal.update(
                    failed.entry or entry,
                    result=JobResultState.REFUSED if refused else JobResultState.FAILED,
                    detail=failed.message,
                    finished_at=datetime.now(UTC).isoformat(),
                )
                raise

    def _window_over(self, outage: _Outage) -> bool:
        return self._clock() - outage.since >= self._options.resume_window

    def _wait_for_ecu(self, outage: _Outage, entry: JournalEntry) -> None:
        """Report WAITING_FOR_ECU and sleep the next backoff delay (never past the window's
        end, so the last try comes when the window closes)."""
        options = self._options
        delay = min(options.reconnect_delay_cap, options.reconnect_delay * 2**outage.waits)
        left = outage.since + options.resume_window - self._clock()
        outage.waits += 1
        self._on_progress(
            FlashProgress(JobPhase.WAITING_FOR_ECU, entry.acked_offset, entry.image_size, 0)
        )
        self._sleep(max(0.0, min(delay, left)))

    # One connection's worth of work; link errors become _Interrupted with the exact offset.
    def _attempt(self, image: VerifiedImage, entry: JournalEntry) -> JournalEntry:
        state = _JobState(entry)

        def trace(record: TraceRecord) -> None:
            state.count(record)
            self._on_trace(record)

        try:
            connection = TracingConnection(self._connect(), trace)
        except _LINK_ERRORS as exc:
            raise _Interrupted(self._journal.save(state.entry), exc) from exc
        self._live = (connection, trace)
        try:
            with Client(connection, config=self._client_config()) as client:
                self._prepare(client, state)
                resumable = state.entry.erased and state.entry.acked_offset > 0
                if resumable:
                    try:
                        self._resume(client, connection, image, state)
                    except _RestartFromErase:
                        state.update(acked_offset=0, erased=False)
                        self._write_from_scratch(client, connection, image, state)
                else:
                    self._write_from_scratch(client, connection, image, state)
                self._set_phase(state, JobPhase.RESETTING)
                client.ecu_reset(0x01)
        except NegativeResponseException as exc:
            raise FlashFailedError(_describe_nrc(exc), self._journal.save(state.entry)) from exc
        except _LINK_ERRORS as exc:
            raise _Interrupted(self._journal.save(state.entry), exc) from exc
        finally:
            self._live = None
            connection.close()
        version = self._read_version_after_reset(state, trace)
        return self._journal.update(
            state.entry,
            phase=JobPhase.DONE,
            result=JobResultState.SUCCEEDED,
            version_after=version,
            finished_at=datetime.now(UTC).isoformat(),
        )

    def _client_config(self) -> ClientConfig:
        return client_config(timing=self._options.timing, security_algo=self._security_algo)

    def _security_algo(self, level: int, seed: bytes, params: Any = None) -> bytes:
        self._key_asked = True
        result = self._key_for(level, bytes(seed))
        if inspect.isawaitable(result):
            return self._await_key(result)
        return result

    def _await_key(self, pending: Awaitable[bytes]) -> bytes:
        """The key from an async provider, awaited on the caller's loop (else a private one in
        a helper thread) while this thread keeps the ECU's session alive. Raises TimeoutError
        after ``timing.request`` seconds, and what the provider raises."""

        async def wait() -> bytes:
            return await pending

        future: concurrent.futures.Future[bytes]
        if self._loop is None:
            future = concurrent.futures.Future()

            def run() -> None:
                try:
                    future.set_result(asyncio.run(wait()))
                except BaseException as exc:  # handed to the waiting thread
                    future.set_exception(exc)

            threading.Thread(target=run, name="flash-key", daemon=True).start()
        else:
            future = asyncio.run_coroutine_threadsafe(wait(), self._loop)
        return self._wait_keeping_session(future, timeout=self._options.timing.request)

    def _wait_keeping_session(
        self, future: concurrent.futures.Future[bytes], *, timeout: float
    ) -> bytes:
        interval = self._options.tester_present_interval
        # Real time: the key comes from outside, whatever clock the tests give the flasher.
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                future.cancel()
                raise TimeoutError(f"no security key within {timeout:.0f} s")
            try:
                return future.result(timeout=left if interval is None else min(interval, left))
            except concurrent.futures.TimeoutError:
                if future.done():
                    raise  # the provider's own TimeoutError (no answer from the service)
                self._tester_present()

    def _tester_present(self) -> None:
        """Send ``3E 80`` straight to the transport of the running attempt (no answer comes,
        so udsoncan's request/answer matching is not involved), functionally addressed where
        the connection has ``send_functional``, else to the ECU; count it in the trace. A
        failed send is only logged: the next real request meets the broken link and takes the
        resume path."""
        live = self._live
        if live is None:
            return
        connection, trace = live
        send = getattr(connection.inner, "send_functional", connection.inner.send)
        at = datetime.now(UTC)
        started = time.perf_counter()
        try:
            send(TESTER_PRESENT_SUPPRESSED)
        except _LINK_ERRORS as exc:
            _log.warning("TesterPresent not sent: %s", exc)
            return
        trace(
            TraceRecord(
                at=at,
                service_id=TESTER_PRESENT_SUPPRESSED[0],
                subfunction_or_id=TESTER_PRESENT_SUPPRESSED[1] & 0x7F,
                positive=True,
                nrc=0,
                block_counter=0,
                duration_us=int((time.perf_counter() - started) * 1_000_000),
                request_length=len(TESTER_PRESENT_SUPPRESSED),
                retried=False,
            )
        )

    def _prepare(self, client: Client, state: _JobState) -> None:
        self._set_phase(state, JobPhase.PREPARING)
        self._check_voltage_before_start(client, state)
        client.change_session(0x03)
        client.control_dtc_setting(0x02)
        client.communication_control(0x03, 0x01)
        client.change_session(0x02)
        self._key_asked = False
        try:
            client.unlock_security_access(self._options.security_level)
        except NegativeResponseException as exc:
            if self._key_asked and exc.response.code in _SESSION_LOST_NRCS:
                # Failing is the safer choice than re-entering the session and asking for a
                # new key on our own: a session that lapsed means TesterPresent did not reach
                # the ECU (or the ECU reset), which a person should look at before an erase.
                raise FlashFailedError(
                    f"ECU 0x{state.entry.ecu_logical_address:04X} left the programming "
                    "session while the agent waited for the security key (its S3 timer ran "
                    f"out; it answered the key with NRC 0x{exc.response.code:02X}). Nothing "
                    "was erased or written in this attempt. Check the connection to the "
                    "vehicle and start the job again.",
                    state.entry,
                ) from exc
            raise

    def _check_voltage_before_start(self, client: Client, state: _JobState) -> None:
        """Before the first request that changes the ECU: refuse a job that has erased nothing
        on a low battery; an erased one (a resume) waits for the voltage instead."""
        threshold = self._options.min_start_volts
        if threshold is None:
            return
        volts = self._read_volts(client, state)
        if volts is None or volts >= threshold:
            return
        if not state.entry.erased:
            raise FlashRefusedError(
                f"the vehicle's battery reads {volts:.2f} V, below the {threshold:.2f} V a "
                "flash needs: connect a charger and start the job again. Nothing was changed "
                f"on ECU 0x{state.entry.ecu_logical_address:04X}.",
                state.entry,
            )
        self._wait_for_voltage(client, state, volts=volts)

    def _watch_voltage(self, client: Client, state: _JobState) -> None:
        """During the transfer: pause while the voltage is below ``min_flash_volts``."""
        if self._options.min_start_volts is None:
            return
        volts = self._read_volts(client, state)
        if volts is not None and volts < self._options.min_flash_volts:
            self._wait_for_voltage(client, state, volts=volts)

    def _wait_for_voltage(self, client: Client, state: _JobState, *, volts: float) -> None:
        """Hold the flash (no request but TesterPresent and the voltage read) until the battery
        is back at ``min_start_volts``. Raises LowVoltageError after ``voltage_pause_limit``."""
        options = self._options
        recover_at = options.min_start_volts or options.min_flash_volts
        since = self._clock()
        _log.warning(
            "battery at %.2f V: flash of ECU 0x%04X paused at byte %d until it is back at %.2f V",
            volts,
            state.entry.ecu_logical_address,
            state.entry.acked_offset,
            recover_at,
        )
        # The journal holds where the flash stands, in case the pause ends in a power loss.
        self._journal.save(state.entry)
        while True:
            # The service moves the job's deadline out while a waiting phase is reported.
            self._on_progress(
                FlashProgress(
                    JobPhase.WAITING_FOR_VOLTAGE,
                    state.entry.acked_offset,
                    state.entry.image_size,
                    0,
                )
            )
            if self._clock() - since >= options.voltage_pause_limit:
                raise LowVoltageError(
                    f"the vehicle's battery stayed below {recover_at:.2f} V for "
                    f"{options.voltage_pause_limit:.0f} s (last {volts:.2f} V); the flash "
                    f"stopped at byte {state.entry.acked_offset} of {state.entry.image_size}",
                    self._journal.save(state.entry),
                )
            self._pause(options.voltage_poll_interval)
            reading = self._read_volts(client, state)
            if reading is None or reading >= recover_at:
                _log.info("battery back at %s V: the flash goes on", reading)
                # The phase the flash stands in again: a wait before the unlock must give the
                # service PREPARING back, or it refuses the security key.
                self._on_progress(
                    FlashProgress(
                        state.entry.phase, state.entry.acked_offset, state.entry.image_size, 0
                    )
                )
                return
            volts = reading

    def _pause(self, seconds: float) -> None:
        """Sleep ``seconds`` keeping the ECU's session alive with TesterPresent."""
        interval = self._options.tester_present_interval
        end = self._clock() + seconds
        while (left := end - self._clock()) > 0:
            if interval is not None:
                self._tester_present()
            self._sleep(left if interval is None else min(interval, left))

    def _read_volts(self, client: Client, state: _JobState) -> float | None:
        """The battery voltage, recorded in the entry: the interface's reading if it has one
        (``BatteryVoltmeter``), else DID 0x0120; None when the ECU refuses the DID (it is
        manufacturer specific: an ECU without it answers some NRC, usually 0x31); then it is
        not asked again in this attempt."""
        meter = client.conn
        measured = meter.battery_volts() if isinstance(meter, BatteryVoltmeter) else None
        if measured is not None:
            volts = measured
        elif state.no_voltage_did:
            return None
        else:
            try:
                answer = client.read_data_by_identifier(DID_BATTERY_VOLTAGE)
            except NegativeResponseException as exc:
                _log.warning(
                    "ECU 0x%04X gives no battery voltage (NRC 0x%02X): flashing without the check",
                    state.entry.ecu_logical_address,
                    exc.response.code,
                )
                state.no_voltage_did = True
                return None
            volts = float(answer.service_data.values[DID_BATTERY_VOLTAGE])
        entry = state.entry
        state.update(
            volts_at_start=volts if entry.volts_at_start is None else entry.volts_at_start,
            volts_min=volts if entry.volts_min is None else min(entry.volts_min, volts),
            volts_max=volts if entry.volts_max is None else max(entry.volts_max, volts),
        )
        return volts

    def _write_from_scratch(
        self,
        client: Client,
        connection: TracingConnection,
        image: VerifiedImage,
        state: _JobState,
    ) -> None:
        client.write_data_by_identifier(DID_FINGERPRINT, self._options.fingerprint)
        client.write_data_by_identifier(DID_PROGRAMMING_DATE, _bcd_date(datetime.now(UTC)))
        self._set_phase(state, JobPhase.ERASING)
        address = self._options.erase_address
        size = self._options.erase_size
        address = state.entry.memory_address if address is None else address
        size = image.size if size is None else size
        erase = bytes([_ALFI_32_32]) + address.to_bytes(4, "big") + size.to_bytes(4, "big")
        client.start_routine(ROUTINE_ERASE_MEMORY, erase)
        self._journal.save(state.update(erased=True, acked_offset=0))
        self._download(client, connection, image, state)
        if not self._check(client, image, state):
            raise FlashFailedError("check memory failed: the CRC-32 differs", state.entry)

    def _resume(
        self,
        client: Client,
        connection: TracingConnection,
        image: VerifiedImage,
        state: _JobState,
    ) -> None:
        try:
            if state.entry.acked_offset < image.size:
                self._download(client, connection, image, state)
            if not self._check(client, image, state):
                raise _RestartFromErase
        except NegativeResponseException as exc:
            raise _RestartFromErase from exc

    def _download(
        self,
        client: Client,
        connection: TracingConnection,
        image: VerifiedImage,
        state: _JobState,
    ) -> None:
        offset = state.entry.acked_offset
        total = image.size
        location = MemoryLocation(state.entry.memory_address + offset, total - offset, 32, 32)
        answer = client.request_download(location, DataFormatIdentifier(0, 0))
        assert answer is not None  # exceptions are on: a bad answer raises instead
        block = answer.service_data.max_length - 2
        if self._options.block_size is not None:
            block = min(block, self._options.block_size)
        if block <= 0:
            raise FlashFailedError("the ECU announced no usable block length", state.entry)
        self._set_phase(state, JobPhase.TRANSFERRING)
        data = memoryview(image.data)
        counter = 1
        unsaved = 0
        blocks = 0
        every = max(1, self._options.voltage_every_blocks)
        while offset < total:
            if blocks % every == 0:
                self._watch_voltage(client, state)
            chunk = data[offset : offset + block]
            self._transfer_block(client, connection, counter, chunk, state)
            blocks += 1
            offset += len(chunk)
            unsaved += len(chunk)
            state.update(acked_offset=offset)
            if unsaved >= self._options.journal_every_bytes:
                self._journal.save(state.entry)
                unsaved = 0
            self._on_progress(FlashProgress(JobPhase.TRANSFERRING, offset, total, counter))
            counter = (counter + 1) & 0xFF
        self._journal.save(state.entry)
        client.request_transfer_exit()

    def _transfer_block(
        self,
        client: Client,
        connection: TracingConnection,
        counter: int,
        chunk: memoryview,
        state: _JobState,
    ) -> None:
        retries = 0
        while True:
            try:
                client.transfer_data(counter, bytes(chunk))
                return
            except TimeoutException:
                if retries >= self._options.block_retries:
                    raise
                retries += 1
                state.update(retried_blocks=state.entry.retried_blocks + 1)
                connection.mark_retry()
            except NegativeResponseException as exc:
                # The repeat is answered "not in this session": the ECU restarted while its
                # answer was lost. On CAN (ISO-TP, J2534) a power loss shows itself so, with no
                # socket to close: resume like after a lost link.
                if retries and exc.response.code in _SESSION_LOST_NRCS:
                    raise ConnectionResetError(
                        f"the ECU answered the repeated block {counter} with NRC "
                        f"0x{exc.response.code:02X}: it restarted"
                    ) from exc
                raise

    def _check(self, client: Client, image: VerifiedImage, state: _JobState) -> bool:
        self._set_phase(state, JobPhase.CHECKING)
        crc = zlib.crc32(image.data).to_bytes(4, "big")
        memory = client.start_routine(ROUTINE_CHECK_MEMORY, crc)
        if _routine_status(memory) != 0x00:
            return False
        dependencies = client.start_routine(ROUTINE_CHECK_DEPENDENCIES)
        if _routine_status(dependencies) != 0x00:
            raise FlashFailedError("check programming dependencies failed", state.entry)
        return True

    def _read_version_after_reset(
        self, state: _JobState, trace: Callable[[TraceRecord], None]
    ) -> str:
        """Read the software version once the ECU is back from its reset, trying for the resume
        window (the image is in place and checked; only the read is missing)."""
        outage = _Outage(self._clock())
        attempts = 0
        while True:
            self._sleep(self._options.reset_wait)
            try:
                with Client(
                    TracingConnection(self._connect(), trace), config=self._client_config()
                ) as client:
                    answer = client.read_data_by_identifier(DID_SOFTWARE_VERSION)
                    return str(answer.service_data.values[DID_SOFTWARE_VERSION])
            except _LINK_ERRORS as exc:
                attempts += 1
                limit = self._options.resume_attempts
                if (limit is not None and attempts > limit) or self._window_over(outage):
                    raise FlashFailedError(
                        f"the ECU did not come back after the reset: {exc}",
                        self._journal.save(state.entry),
                    ) from exc
                self._wait_for_ecu(outage, state.entry)

    def _set_phase(self, state: _JobState, phase: JobPhase) -> None:
        if state.entry.phase != phase:
            self._journal.save(state.update(phase=phase))
        self._on_progress(FlashProgress(phase, state.entry.acked_offset, state.entry.image_size, 0))


class _JobState:
    """The in-memory, most recent journal entry of a running attempt, with the trace counts
    of the job so far (folded into ``entry`` when it is read)."""

    def __init__(self, entry: JournalEntry) -> None:
        self._entry = entry
        self._counts = {
            (sid, nrc): [count, retried] for sid, nrc, count, retried in entry.trace_summary or ()
        }
        # A journal from before trace summaries were kept: the summary would be partial.
        self._counting = entry.trace_summary is not None
        self._counted = False
        self.no_voltage_did = False

    @property
    def entry(self) -> JournalEntry:
        if self._counted:
            summary = tuple(
                (sid, nrc, count, retried)
                for (sid, nrc), (count, retried) in sorted(self._counts.items())
            )
            self._entry = replace(self._entry, trace_summary=summary)
            self._counted = False
        return self._entry

    def update(self, **changes: Any) -> JournalEntry:
        self._entry = replace(self.entry, **changes)
        return self._entry

    def count(self, record: TraceRecord) -> None:
        """Count one UDS exchange by service and NRC (0 when positive)."""
        counts = self._counts.setdefault(
            (record.service_id, 0 if record.positive else record.nrc), [0, 0]
        )
        counts[0] += 1
        counts[1] += int(record.retried)
        self._counted = self._counting


@dataclass(slots=True)
class _Outage:
    """Since when the ECU has not answered (monotonic seconds) and how often we waited."""

    since: float
    waits: int = 0


class _Interrupted(Exception):
    def __init__(self, entry: JournalEntry, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.entry = entry
        self.cause = cause


def _routine_status(answer: Any) -> int:
    record: bytes = answer.service_data.routine_status_record
    return record[0] if record else 0x00


def _describe_nrc(exc: NegativeResponseException) -> str:
    response = exc.response
    service = response.service.request_id() if response.service is not None else 0
    return (
        f"ECU refused service 0x{service:02X} with NRC 0x{response.code:02X} ({response.code_name})"
    )


def _bcd_date(moment: datetime) -> bytes:
    def bcd(value: int) -> int:
        return (value // 10) << 4 | value % 10

    return bytes([bcd(moment.year % 100), bcd(moment.month), bcd(moment.day)])
