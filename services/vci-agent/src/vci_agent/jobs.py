"""Serving the programming service over the agent link: vehicle reads and flash jobs.

A flash job downloads its image (HTTP Range into the cache), verifies SHA-256 and the Ed25519
signature with the release key from pairing (a refused image never reaches the ECU), asks the
service for each security key, streams progress and the UDS trace, and journals everything.
The flash does not depend on the link: if it drops mid-flash the flash carries on, and the
result stays in the journal (``result_synced`` false) until the service acknowledges it, which
``sync_results`` retries after every reconnect.

A job the agent PROCESS did not finish (crash, kill, power cut of the PC) is resumed from its
journal when the next process is welcomed: before any new StartJob runs, each unfinished entry
is taken up in turn, its cached image verified again (SHA-256 and signature, refetched with
HTTP Range if the cache lost it) before any UDS request, then the flasher's resume path runs
(programming session, unlock with a key from the service, RequestDownload at address + acked,
else erase and restart; the final check decides). Flash jobs run one at a time (one vehicle,
one tester): a StartJob that arrives meanwhile waits its turn (the service only logs an Error
frame, so answering "busy" would leave that job RUNNING there until its deadline). A StartJob
for a job id that is already journaled resumes that job (or resends its result) instead of
restarting it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from google.protobuf.timestamp_pb2 import Timestamp
from udsoncan.connections import BaseConnection

from aos.agent.v1 import agent_pb2
from vci_agent.flash import (
    Flasher,
    FlashError,
    FlashFailedError,
    FlashInterruptedError,
    FlashOptions,
    FlashProgress,
    LowVoltageError,
)
from vci_agent.image import (
    ImageDownloadError,
    ImageError,
    ImageSignatureError,
    VerifiedImage,
    download_image,
    verify_image,
)
from vci_agent.journal import JobPhase, JobResultState, Journal, JournalEntry, JournalError
from vci_agent.link import AgentLink
from vci_agent.transport.doip import DoipRefusedError
from vci_agent.transport.options import preflight_problems
from vci_agent.transport.tracing import TraceRecord
from vci_agent.vehicle import EcuInfo, read_vehicle

__all__ = ["JobRunner"]

_PHASES = {
    JobPhase.DOWNLOADING: agent_pb2.JOB_PHASE_DOWNLOADING,
    JobPhase.VERIFYING: agent_pb2.JOB_PHASE_VERIFYING,
    JobPhase.PREPARING: agent_pb2.JOB_PHASE_PREPARING,
    JobPhase.ERASING: agent_pb2.JOB_PHASE_ERASING,
    JobPhase.TRANSFERRING: agent_pb2.JOB_PHASE_TRANSFERRING,
    JobPhase.CHECKING: agent_pb2.JOB_PHASE_CHECKING,
    JobPhase.RESETTING: agent_pb2.JOB_PHASE_RESETTING,
    JobPhase.DONE: agent_pb2.JOB_PHASE_DONE,
    JobPhase.WAITING_FOR_ECU: agent_pb2.JOB_PHASE_WAITING_FOR_ECU,
    JobPhase.WAITING_FOR_VOLTAGE: agent_pb2.JOB_PHASE_WAITING_FOR_VOLTAGE,
}
_OUTCOMES = {
    JobResultState.SUCCEEDED: agent_pb2.JOB_OUTCOME_SUCCEEDED,
    JobResultState.FAILED: agent_pb2.JOB_OUTCOME_FAILED,
    JobResultState.REFUSED: agent_pb2.JOB_OUTCOME_REFUSED,
}
_TRACE_BATCH = 256
_PROGRESS_INTERVAL_S = 0.25
# A key request or a result answered "service-unavailable" (the service cannot reach its
# database for a moment) is sent again after these pauses (doubling), within a bound.
_SERVICE_UNAVAILABLE = "service-unavailable"
_RETRY_FIRST_PAUSE_S = 0.25
_RETRY_MAX_PAUSE_S = 2.0
_RESULT_RETRY_WITHIN_S = 120.0
_ANSWER_WITHIN_S = 30.0


class JobRunner:
    """The link's frame handler. ``link`` carries keys, progress and results to the service;
    ``connect(logical_address)`` opens a UDS connection to one ECU; ``ecus`` are the ECUs a
    vehicle read reports; ``release_key`` verifies images.

    The link dispatches its frames to ``handle``: build the link first with a handler that calls
    the runner, then the runner with the link (see ``agent.run_agent``)."""

    def __init__(
        self,
        link: AgentLink,
        *,
        journal: Journal,
        cache_dir: Path,
        release_key: Ed25519PublicKey,
        connect: Callable[[int], BaseConnection],
        ecus: Sequence[EcuInfo],
        flash_options: FlashOptions | None = None,
        key_timeout: float = 30.0,
    ) -> None:
        self._journal = journal
        self._cache_dir = cache_dir
        self._release_key = release_key
        self._connect = connect
        self._ecus = tuple(ecus)
        self._flash_options = flash_options or FlashOptions()
        self._key_timeout = key_timeout
        self._tasks: set[asyncio.Task[None]] = set()
        self._link = link
        # One flash at a time; asyncio.Lock wakes its waiters in order, so work claimed in
        # on_welcome (which runs before the connection's first frame is dispatched) goes first.
        self._flash_lock = asyncio.Lock()
        # Jobs this process has taken up and not ended: a reconnect must not start them again.
        self._active: set[str] = set()

    @staticmethod
    def release_key_from_base64(text: str) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text))

    async def handle(self, frame: agent_pb2.AgentFrame, link: AgentLink) -> None:
        """Start the work a frame asks for as a task (the link's receive loop goes on)."""
        body = frame.WhichOneof("body")
        if body == "read_vehicle":
            self._spawn(self._read_vehicle(frame))
        elif body == "start_job":
            self._spawn(self._run_job(frame.start_job))
        elif body != "error":
            await _send_quietly(
                link,
                agent_pb2.AgentFrame(
                    reply_to=frame.seq,
                    error=agent_pb2.Error(code="unsupported", message=f"no handler for {body}"),
                ),
            )

    async def on_welcome(self, welcome: agent_pb2.Welcome) -> None:
        """The link's ``on_welcome``: resume the unfinished jobs an earlier process left in the
        journal, and sync pending results, in the background (their key answers and
        acknowledgements arrive through the receive loop, which must not be blocked)."""
        # Only the service's jobs (they carry the image address): an interrupted offline
        # ``flash`` job in the same journal stays for that command to resume.
        unfinished = [
            entry
            for entry in self._journal.unfinished()
            if entry.image_url and entry.job_id not in self._active
        ]
        if unfinished:
            # Claimed now, before any StartJob of this connection can be dispatched.
            self._active.update(entry.job_id for entry in unfinished)
            self._spawn(self._resume_all(unfinished))
        self._spawn(self.sync_results())

    async def sync_results(self) -> None:
        """Send every journaled result the service has not acknowledged yet."""
        for entry in self._journal.unsynced_results():
            await self._send_result(entry)

    async def wait_idle(self) -> None:
        """Wait until every started read and job has finished (for orderly shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read_vehicle(self, frame: agent_pb2.AgentFrame) -> None:
        request_id = frame.read_vehicle.request_id
        self._learn_read_can_ids(frame.read_vehicle)
        try:
            state = await asyncio.to_thread(read_vehicle, self._connect, self._ecus)
            answer = agent_pb2.AgentFrame(
                reply_to=frame.seq, vehicle_report=state.to_proto(request_id)
            )
        except Exception as exc:  # any failure of the vehicle is reported, not raised
            answer = agent_pb2.AgentFrame(
                reply_to=frame.seq,
                error=agent_pb2.Error(code="vehicle-unreachable", message=str(exc)),
            )
        await self._send(answer)

    async def _run_job(self, job: agent_pb2.StartJob) -> None:
        async with self._flash_lock:
            try:
                known: JournalEntry | None = self._journal.load(job.job_id)
            except JournalError:
                known = None
            if known is not None and known.finished:
                await self._send_result(known)  # a repeated StartJob: the result stands
                return
            self._active.add(job.job_id)
            try:
                if known is None:
                    entry = self._new_entry(job)
                elif known.image_sha256 != job.image_sha256.hex():
                    entry = self._finish(
                        known, JobResultState.REFUSED, "the job is journaled for another image"
                    )
                    await self._send_result(entry)
                    return
                else:
                    # Resume, never restart: the ECU may hold part of the image already. The
                    # StartJob's download token and signature are the current ones.
                    entry = self._journal.update(
                        known,
                        image_signature=job.image_signature.hex(),
                        image_url=job.image_url,
                        download_token=job.download_token,
                        security_level=job.security_level or 0x11,
                        can_ids=_can_ids(job) or known.can_ids,
                    )
                await self._continue(entry)
            finally:
                self._active.discard(job.job_id)

    def _new_entry(self, job: agent_pb2.StartJob) -> JournalEntry:
        return self._journal.save(
            JournalEntry(
                job_id=job.job_id,
                ecu_logical_address=job.ecu_logical_address,
                image_path="",
                image_sha256=job.image_sha256.hex(),
                image_size=job.image_size,
                memory_address=job.memory_address,
                image_signature=job.image_signature.hex(),
                image_url=job.image_url,
                download_token=job.download_token,
                security_level=job.security_level or 0x11,
                phase=JobPhase.DOWNLOADING,
                can_ids=_can_ids(job),
            )
        )

    async def _resume_all(self, entries: Sequence[JournalEntry]) -> None:
        """Resume the jobs an earlier agent process left unfinished, one after another."""
        try:
            async with self._flash_lock:
                for entry in entries:
                    current = self._journal.load(entry.job_id)
                    if not current.finished:
                        await self._continue(current)
                    self._active.discard(entry.job_id)
        finally:
            # Whatever went wrong, the next Welcome may take the rest up again.
            self._active.difference_update(entry.job_id for entry in entries)

    async def _continue(self, entry: JournalEntry) -> None:
        """Get the image (cache, else download), verify it, flash from the journal's state and
        send the result. A fresh entry and an interrupted one take the same path."""
        self._learn_can_ids(entry)
        if entry.phase is JobPhase.DOWNLOADING or not entry.image_path:
            await self._progress(entry.job_id, JobPhase.DOWNLOADING, 0, entry.image_size)
        try:
            path = await asyncio.to_thread(self._image_file, entry)
            if entry.image_path != str(path) or entry.phase is JobPhase.DOWNLOADING:
                phase = JobPhase.VERIFYING if entry.phase is JobPhase.DOWNLOADING else entry.phase
                entry = self._journal.update(entry, image_path=str(path), phase=phase)
            await self._progress(entry.job_id, JobPhase.VERIFYING, 0, entry.image_size)
            if not entry.image_signature:
                raise ImageSignatureError(
                    "the journal holds no signature for the image: it cannot be verified again"
                )
            image = verify_image(
                await asyncio.to_thread(path.read_bytes),
                signature=bytes.fromhex(entry.image_signature),
                public_key=self._release_key,
                sha256=bytes.fromhex(entry.image_sha256),
            )
        except ImageError as exc:
            entry = self._finish(entry, JobResultState.REFUSED, str(exc))
            await self._send_result(entry)
            return
        problems = await asyncio.to_thread(preflight_problems, self._connect)
        if problems:
            entry = self._refuse(entry, problems)
            await self._send_result(entry)
            return
        entry = await self._flash(image, entry)
        await self._send_result(entry)

    def _refuse(self, entry: JournalEntry, problems: Sequence[str]) -> JournalEntry:
        """End a job the pre-flight check (DoIP: ignition, another tester) stands against,
        before any request to the ECU. A resumed job whose ECU is erased says so."""
        address = f"0x{entry.ecu_logical_address:04X}"
        reasons = "; ".join(problems)
        if _left_in_bootloader(entry):
            detail = (
                f"{reasons}. Nothing was sent to ECU {address} in this attempt; it is left in "
                "its bootloader without application software: plan a new session for this "
                "vehicle, it flashes this ECU again."
            )
            entry = self._journal.update(entry, ecu_in_bootloader=True)
        else:
            detail = f"{reasons}. Nothing was changed on ECU {address}."
        return self._finish(entry, JobResultState.REFUSED, detail)

    def _learn_can_ids(self, entry: JournalEntry) -> None:
        """Tell a CAN connector the ECU's ids the job carries (from the service's catalog);
        the connector keeps ids its user gave (``--can-id``). DoIP has no use for them."""
        learn = getattr(self._connect, "learn", None)
        if entry.can_ids is not None and callable(learn):
            learn(entry.ecu_logical_address, entry.can_ids)

    def _learn_read_can_ids(self, request: agent_pb2.ReadVehicle) -> None:
        """Tell a CAN connector the catalog's ids of the ECU types the agent knows at its ECU
        addresses, so the read finds them (ids the user gave still win)."""
        learn = getattr(self._connect, "learn", None)
        if not callable(learn):
            return
        by_type = {ids.ecu_type: (ids.request_id, ids.response_id) for ids in request.can_ids}
        for ecu in self._ecus:
            found = by_type.get(ecu.ecu_type) if ecu.ecu_type else None
            if found is not None:
                learn(ecu.logical_address, found)

    def _image_file(self, entry: JournalEntry) -> Path:
        """The cached image of ``entry``, downloaded (HTTP Range resume) when the cache lacks
        it. Raises ``ImageDownloadError``/``ImageDigestError``."""
        sha256 = bytes.fromhex(entry.image_sha256)
        cached = Path(entry.image_path) if entry.image_path else None
        if cached is not None and cached.is_file():
            return cached
        if not entry.image_url:
            raise ImageDownloadError(
                f"the image of job {entry.job_id} is not cached and its address is unknown"
            )
        with httpx.Client(timeout=60) as client:
            return download_image(
                client,
                entry.image_url,
                cache_dir=self._cache_dir,
                sha256=sha256,
                size=entry.image_size,
                headers={"X-Download-Token": entry.download_token},
            )

    async def _flash(self, image: VerifiedImage, entry: JournalEntry) -> JournalEntry:
        loop = asyncio.get_running_loop()
        job_id = entry.job_id
        ecu_address = entry.ecu_logical_address
        traces: list[TraceRecord] = []
        last_progress = 0.0

        async def key_for(level: int, seed: bytes) -> bytes:
            # The ECU waits in its unlocked session while the service finds its database again.
            answer = await _ask_while_unavailable(
                self._require_link(),
                agent_pb2.AgentFrame(
                    security_key_request=agent_pb2.SecurityKeyRequest(
                        job_id=job_id,
                        ecu_logical_address=ecu_address,
                        level=level,
                        seed=seed,
                    )
                ),
                within=self._key_timeout,
            )
            if answer.WhichOneof("body") != "security_key_answer":
                raise FlashError(f"the service gave no key: {answer.error.message}")
            return bytes(answer.security_key_answer.key)

        def on_progress(progress: FlashProgress) -> None:
            nonlocal last_progress
            now = loop.time()
            if (
                progress.phase is JobPhase.TRANSFERRING
                and now - last_progress < _PROGRESS_INTERVAL_S
            ):
                return
            last_progress = now
            asyncio.run_coroutine_threadsafe(
                self._progress(
                    job_id,
                    progress.phase,
                    progress.bytes_done,
                    progress.bytes_total,
                    progress.block_counter,
                ),
                loop,
            )

        def on_trace(record: TraceRecord) -> None:
            traces.append(record)
            if len(traces) >= _TRACE_BATCH:
                batch = traces[:]
                traces.clear()
                asyncio.run_coroutine_threadsafe(self._send_trace(job_id, batch), loop)

        def connect_ecu() -> BaseConnection:
            try:
                return self._connect(ecu_address)
            except (DoipRefusedError, ValueError) as exc:
                # Refused for good (an untrusted TLS certificate, a routing activation denied,
                # an ECU without CAN ids): trying again cannot help, so the job ends with the
                # reason instead of its task dying without a result.
                raise FlashFailedError(f"cannot reach ECU 0x{ecu_address:04X}: {exc}") from exc

        options = replace(self._flash_options, security_level=entry.security_level or 0x11)
        flasher = Flasher(
            connect_ecu,
            self._journal,
            key_for=key_for,
            options=options,
            on_progress=on_progress,
            on_trace=on_trace,
            loop=loop,
        )
        try:
            final = await asyncio.to_thread(flasher.run, image, entry)
        except FlashInterruptedError as exc:
            final = self._journal.load(entry.job_id)
            if not final.finished:
                final = self._give_up(final, exc, window=options.resume_window)
        except FlashError as exc:
            final = self._journal.load(entry.job_id)
            if not final.finished:
                final = self._finish(final, JobResultState.FAILED, str(exc))
            if _left_in_bootloader(final) and not final.ecu_in_bootloader:
                final = self._journal.update(final, ecu_in_bootloader=True)
        await self._send_trace(job_id, traces)
        return final

    def _give_up(
        self, entry: JournalEntry, interrupted: FlashInterruptedError, *, window: float
    ) -> JournalEntry:
        """The ECU did not answer for the whole resume window (or the battery stayed low for
        the pause limit): end the job FAILED and say whether the ECU is left in its bootloader
        (its application erased, the new image incomplete) and what to do next."""
        in_bootloader = _left_in_bootloader(entry)
        address = f"0x{entry.ecu_logical_address:04X}"
        if isinstance(interrupted, LowVoltageError):
            where = (
                "is left in its bootloader without application software"
                if in_bootloader
                else "still runs its previous software"
            )
            detail = (
                f"{interrupted}. ECU {address} {where}. Connect a charger to the vehicle, "
                "then plan a new session for this vehicle."
            )
        elif in_bootloader:
            advice = (
                f"ECU {address} is left in its bootloader without application software. "
                "Restore the vehicle's power supply (connect a charger) and the connection "
                "to the vehicle, then plan a new session for this vehicle: it flashes this "
                "ECU again."
            )
            detail = f"gave up after {window:.0f} s waiting for the ECU: {interrupted}. {advice}"
        else:
            advice = (
                f"ECU {address} still runs its previous software (nothing was erased). "
                "Check the vehicle's power supply and the connection, then plan a new session."
            )
            detail = f"gave up after {window:.0f} s waiting for the ECU: {interrupted}. {advice}"
        return self._journal.update(
            entry,
            result=JobResultState.FAILED,
            detail=detail,
            ecu_in_bootloader=in_bootloader,
            finished_at=datetime.now(UTC).isoformat(),
        )

    def _finish(self, entry: JournalEntry, result: JobResultState, detail: str) -> JournalEntry:
        return self._journal.update(
            entry, result=result, detail=detail, finished_at=datetime.now(UTC).isoformat()
        )

    async def _send_result(self, entry: JournalEntry) -> None:
        assert entry.result is not None
        result = agent_pb2.JobResult(
            job_id=entry.job_id,
            outcome=_OUTCOMES[entry.result],
            version_after=entry.version_after,
            detail=entry.detail,
            bytes_transferred=entry.acked_offset,
            retried_blocks=entry.retried_blocks,
            resumed_times=entry.resumed_times,
            ecu_in_bootloader=entry.ecu_in_bootloader,
            trace_summary=[
                agent_pb2.UdsTraceCount(service_id=sid, nrc=nrc, count=count, retried=retried)
                for sid, nrc, count, retried in entry.trace_summary or ()
            ],
            has_trace_summary=entry.trace_summary is not None,
            has_battery_volts=entry.volts_min is not None,
        )
        if entry.volts_min is not None:
            result.battery_volts_at_start = entry.volts_at_start or entry.volts_min
            result.battery_volts_min = entry.volts_min
            result.battery_volts_max = entry.volts_max or entry.volts_min
        result.started_at.FromDatetime(datetime.fromisoformat(entry.started_at))
        if entry.finished_at:
            result.finished_at.FromDatetime(datetime.fromisoformat(entry.finished_at))
        link = self._link
        if not link.connected:
            return  # stays unsynced in the journal; sync_results sends it after a reconnect
        with contextlib.suppress(ConnectionError, TimeoutError):
            answer = await _ask_while_unavailable(
                link, agent_pb2.AgentFrame(job_result=result), within=_RESULT_RETRY_WITHIN_S
            )
            # A Heartbeat answer acknowledges; an Error (unknown job) means drop it too, unless
            # the service could not take it yet: then it stays unsynced, for the next connect.
            if answer.WhichOneof("body") == "heartbeat" or (
                answer.WhichOneof("body") == "error" and not _unavailable(answer)
            ):
                self._journal.update(self._journal.load(entry.job_id), result_synced=True)

    async def _progress(
        self, job_id: str, phase: JobPhase, done: int, total: int, counter: int = 0
    ) -> None:
        await self._send(
            agent_pb2.AgentFrame(
                job_progress=agent_pb2.JobProgress(
                    job_id=job_id,
                    phase=_PHASES[phase],
                    bytes_done=done,
                    bytes_total=total,
                    block_counter=counter,
                )
            )
        )

    async def _send_trace(self, job_id: str, records: Sequence[TraceRecord]) -> None:
        if not records:
            return
        trace = agent_pb2.UdsTrace(job_id=job_id)
        for record in records:
            at = Timestamp()
            at.FromDatetime(record.at)
            trace.records.append(
                agent_pb2.UdsTraceRecord(
                    at=at,
                    service_id=record.service_id,
                    subfunction_or_id=record.subfunction_or_id,
                    positive=record.positive,
                    nrc=record.nrc,
                    block_counter=record.block_counter,
                    duration_us=record.duration_us,
                    request_length=record.request_length,
                    retried=record.retried,
                )
            )
        await self._send(agent_pb2.AgentFrame(uds_trace=trace))

    async def _send(self, frame: agent_pb2.AgentFrame) -> None:
        await _send_quietly(self._link, frame)

    def _require_link(self) -> AgentLink:
        if not self._link.connected:
            raise ConnectionError("no link to the programming service for the security key")
        return self._link


def _can_ids(job: agent_pb2.StartJob) -> tuple[int, int] | None:
    """(request id, response id) a StartJob carries, or None (older service, or the catalog
    does not know them)."""
    return (job.can_request_id, job.can_response_id) if job.has_can_ids else None


def _left_in_bootloader(entry: JournalEntry) -> bool:
    """Whether a job that did not succeed left its ECU without application software: erased,
    and stopped before the reset that starts the new, checked image."""
    return entry.erased and entry.phase not in (JobPhase.RESETTING, JobPhase.DONE)


async def _send_quietly(link: AgentLink, frame: agent_pb2.AgentFrame) -> None:
    """Progress, traces and errors are best effort: a dropped link must not stop a flash."""
    with contextlib.suppress(ConnectionError):
        await link.send(frame)


def _unavailable(answer: agent_pb2.AgentFrame) -> bool:
    return answer.WhichOneof("body") == "error" and answer.error.code == _SERVICE_UNAVAILABLE


async def _ask_while_unavailable(
    link: AgentLink, frame: agent_pb2.AgentFrame, *, within: float
) -> agent_pb2.AgentFrame:
    """The service's answer to ``frame``, asked again while it answers "service-unavailable",
    for at most ``within`` seconds; the last answer when that time is up. Raises what
    ``link.request`` raises (the link down, no answer in time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    pause = _RETRY_FIRST_PAUSE_S
    while True:
        remaining = max(deadline - loop.time(), 0.001)
        answer = await link.request(frame, answer_within=min(remaining, _ANSWER_WITHIN_S))
        if not _unavailable(answer) or loop.time() + pause >= deadline:
            return answer
        await asyncio.sleep(pause)
        pause = min(pause * 2, _RETRY_MAX_PAUSE_S)
