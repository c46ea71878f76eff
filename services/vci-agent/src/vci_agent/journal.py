"""The on-disk job journal: one JSON file per flash job, written atomically.

Every write goes to a temporary file in the same directory, is fsynced, then renamed over the
old file (and, on POSIX, the directory fsynced: see ``vci_agent.platform``), so a power cut
leaves either the old or the new state.
The acked offset tells a resumed job where the ECU's memory stands.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from vci_agent.platform import PLATFORM, write_file_atomically

__all__ = ["JobPhase", "JobResultState", "Journal", "JournalEntry", "JournalError"]

# Job ids name files: letters, digits, "-", "_" and "." only, so that no OS reads a separator, a
# drive or an NTFS stream (":") into one, and no leading "." (the temporary files' prefix).
_PORTABLE_JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
# Windows opens these devices whatever the extension ("NUL.json" is NUL).
_WINDOWS_DEVICE_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10)]
)


class JournalError(Exception):
    """A journal file is missing or unreadable."""


class JobPhase(StrEnum):
    DOWNLOADING = "downloading"
    VERIFYING = "verifying"
    PREPARING = "preparing"
    ERASING = "erasing"
    TRANSFERRING = "transferring"
    CHECKING = "checking"
    RESETTING = "resetting"
    DONE = "done"
    # Reported while the ECU does not answer and the flash waits to resume; never journaled
    # (the journaled phase stays where the flash stands).
    WAITING_FOR_ECU = "waiting-for-ecu"
    # Reported while the battery voltage is below the flash's floor and the flash is paused;
    # never journaled either.
    WAITING_FOR_VOLTAGE = "waiting-for-voltage"


class JobResultState(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """The durable state of one job. ``acked_offset``: image bytes the ECU acknowledged.

    ``image_signature`` (hex), ``image_url``, ``download_token`` and ``security_level`` let a
    restarted agent fetch and re-verify the image and unlock the ECU again; empty for jobs of
    the offline ``flash`` command and for journals written before they existed.

    ``trace_summary``: the job's UDS exchanges so far as (service id, NRC or 0, count,
    retried), kept with the job so the result carries it even when live trace batches were
    lost with the link; None in journals written before it was kept (not known).
    ``ecu_in_bootloader``: the job was given up with the ECU's application erased and the new
    image incomplete.
    ``volts_at_start``/``volts_min``/``volts_max``: the vehicle's battery voltage read before
    the first erase attempt, and the lowest and highest reading of the job; None when not read
    (the ECU has no voltage DID, or a journal from before they were kept).
    ``can_ids``: the ECU's (request id, response id) on CAN as the service's StartJob gave
    them, so a resumed job reaches the ECU on a CAN link too; None when not given."""

    job_id: str
    ecu_logical_address: int
    image_path: str
    image_sha256: str
    image_size: int
    memory_address: int
    image_signature: str = ""
    image_url: str = ""
    download_token: str = ""
    security_level: int = 0x11
    phase: JobPhase = JobPhase.PREPARING
    acked_offset: int = 0
    erased: bool = False
    result: JobResultState | None = None
    detail: str = ""
    version_after: str = ""
    retried_blocks: int = 0
    resumed_times: int = 0
    ecu_in_bootloader: bool = False
    trace_summary: tuple[tuple[int, int, int, int], ...] | None = ()
    volts_at_start: float | None = None
    volts_min: float | None = None
    volts_max: float | None = None
    can_ids: tuple[int, int] | None = None
    result_synced: bool = False
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    finished_at: str | None = None

    @property
    def finished(self) -> bool:
        return self.result is not None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JournalEntry:
        values = dict(data)
        values["phase"] = JobPhase(values["phase"])
        if values.get("result") is not None:
            values["result"] = JobResultState(values["result"])
        summary = values.get("trace_summary")
        values["trace_summary"] = (
            None
            if summary is None
            else tuple(
                (int(sid), int(nrc), int(count), int(retried))
                for sid, nrc, count, retried in summary
            )
        )
        ids = values.get("can_ids")
        values["can_ids"] = None if ids is None else (int(ids[0]), int(ids[1]))
        return cls(**values)


class Journal:
    """Journal files ``<directory>/<job_id>.json``. ``platform`` chooses how a write is made
    durable (the running OS unless a test says otherwise)."""

    def __init__(self, directory: Path, *, platform: str = PLATFORM) -> None:
        self.directory = directory
        self._platform = platform
        directory.mkdir(parents=True, exist_ok=True)

    def path(self, job_id: str) -> Path:
        """Raises ``JournalError`` for a job id that is not a plain file name on every OS."""
        if not _PORTABLE_JOB_ID.fullmatch(job_id) or job_id.upper() in _WINDOWS_DEVICE_NAMES:
            raise JournalError(f"invalid job id {job_id!r}")
        return self.directory / f"{job_id}.json"

    def save(self, entry: JournalEntry) -> JournalEntry:
        """Write ``entry`` atomically and durably; returns it for chaining."""
        target = self.path(entry.job_id)
        payload = json.dumps(entry.to_json(), indent=2, sort_keys=True).encode()
        # Owner-only: an entry may hold the job's download token.
        write_file_atomically(target, payload, owner_only=True, platform=self._platform)
        return entry

    def update(self, entry: JournalEntry, **changes: Any) -> JournalEntry:
        """Save a copy of ``entry`` with ``changes`` applied and return it."""
        return self.save(replace(entry, **changes))

    def load(self, job_id: str) -> JournalEntry:
        """Raises ``JournalError`` when the job has no readable journal."""
        try:
            data = json.loads(self.path(job_id).read_text())
            return JournalEntry.from_json(data)
        except FileNotFoundError:
            raise JournalError(f"no journal for job {job_id}") from None
        except (ValueError, TypeError, KeyError) as exc:
            raise JournalError(f"journal of job {job_id} is unreadable: {exc}") from exc

    def entries(self) -> list[JournalEntry]:
        """Every readable journal entry, oldest first (unreadable files are skipped)."""
        found = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                found.append(self.load(path.stem))
            except JournalError:
                continue
        return sorted(found, key=lambda entry: entry.started_at)

    def unfinished(self) -> list[JournalEntry]:
        return [entry for entry in self.entries() if not entry.finished]

    def unsynced_results(self) -> list[JournalEntry]:
        return [entry for entry in self.entries() if entry.finished and not entry.result_synced]
