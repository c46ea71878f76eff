"""The ISO 14229 flash sequence for one ECU, with retry, journal and resume.

10 03 → 85 02 → 28 03 01 → 10 02 → 27 (key from the injected provider) → 2E F198/F199 →
31 01 FF00 erase → 34 → 36… → 37 → 31 01 0202 (CRC-32 of the whole image) → 31 01 FF01 →
11 01 → reconnect and read F189 back.

* A lost 0x36 answer is retried with the SAME block counter (the ECU acknowledges a repeat
  without rewriting), up to ``FlashOptions.block_retries`` times.
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

Blocking (udsoncan is synchronous): async callers run ``Flasher.run`` in a thread and pass their
event loop so an async key provider can be awaited there.
"""

from __future__ import annotations

import asyncio
import inspect
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

from vci_agent.image import VerifiedImage
from vci_agent.journal import JobPhase, JobResultState, Journal, JournalEntry
from vci_agent.keys import KeyProvider
from vci_agent.transport.tracing import TraceRecord, TracingConnection
from vci_agent.uds import (
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
    "Flasher",
]

ROUTINE_ERASE = 0xFF00
ROUTINE_CHECK_MEMORY = 0x0202
ROUTINE_CHECK_DEPENDENCIES = 0xFF01
_ALFI_32_32 = 0x44
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


class FlashError(Exception):
    """Base class of flash errors; the journal holds the job's state."""


class FlashFailedError(FlashError):
    """The ECU refused the sequence or the image (NRC, CRC or dependency check)."""

    def __init__(self, message: str, entry: JournalEntry | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.entry = entry


class FlashInterruptedError(FlashError):
    """The ECU did not answer again within the resume window (or the attempts allowed); the
    journal still holds the job, so it is resumable. ``entry`` is its journal entry."""

    def __init__(self, message: str, entry: JournalEntry) -> None:
        super().__init__(message)
        self.entry = entry


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
    ``resume_attempts``, when set, also caps the attempts per ``run``."""

    security_level: int = 0x11
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
                failed.entry = self._journal.update(
                    failed.entry or entry,
                    result=JobResultState.FAILED,
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
        result = self._key_for(level, bytes(seed))
        if inspect.isawaitable(result):
            return self._await_key(result)
        return result

    def _await_key(self, pending: Awaitable[bytes]) -> bytes:
        async def wait() -> bytes:
            return await pending

        if self._loop is None:
            return asyncio.run(wait())
        timeout = self._options.timing.request
        return asyncio.run_coroutine_threadsafe(wait(), self._loop).result(timeout)

    def _prepare(self, client: Client, state: _JobState) -> None:
        self._set_phase(state, JobPhase.PREPARING)
        client.change_session(0x03)
        client.control_dtc_setting(0x02)
        client.communication_control(0x03, 0x01)
        client.change_session(0x02)
        client.unlock_security_access(self._options.security_level)

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
        client.start_routine(ROUTINE_ERASE, erase)
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
        while offset < total:
            chunk = data[offset : offset + block]
            self._transfer_block(client, connection, counter, chunk, state)
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
