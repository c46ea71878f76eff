"""The agent replaces itself with a newer single-file build the service offers.

The programming service offers a build (in Welcome, or in UpgradeRequired when this agent is too
old to talk to it) with its version, platform, size, SHA-256 and an Ed25519 signature by the
release key, the same key that signs ECU images and whose public half the agent got at pairing.
The agent then:

1. downloads the build next to its own executable (same folder, so the final rename stays on one
   file system), as ``<executable>.update``, checking size and SHA-256; a download cut short
   is resumed with an HTTP Range request from the bytes already on disk, a bounded number of
   times, and its progress is reported;
2. verifies the signature over the whole file with the release public key; a file that fails
   any check is deleted and the running executable is left alone;
3. replaces itself (``platform.replace_executable``): on POSIX the new file takes the old
   one's mode and is renamed over it (the running process keeps its open image of the old
   file); on Windows a running ``.exe`` cannot be overwritten or deleted, but it can be
   renamed, so it is moved aside to ``<executable>.old`` and the new file moved in; the next
   start deletes the ``.old``.

Only the single-file build replaces itself: from source (``python -m vci_agent``) there is no
executable of the agent's own to replace, and its Hello names no platform, so nothing is offered.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from aos.agent.v1 import agent_pb2
from vci_agent.platform import (
    PLATFORM,
    flush_to_disk,
    replace_executable,
)

__all__ = [
    "AgentUpdate",
    "SelfUpdater",
    "UpdateError",
    "download_update",
    "install_update",
    "is_newer",
]

UPDATE_SUFFIX: Final = ".update"
# An agent build is a few tens of MB; anything far larger is not one.
MAX_BUILD_SIZE: Final = 512 * 1024 * 1024
# Requests per download: the first and the resumes after a cut (a workshop line drops now and
# then; one that drops on every try is reported rather than retried for ever).
DOWNLOAD_ATTEMPTS: Final = 5
RETRY_DELAY_SECONDS: Final = 1.0
# Answers worth another try: the server or a proxy before it is busy or restarting.
_RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})


class UpdateError(Exception):
    """The offered build cannot be installed; the running agent stays as it is."""


@dataclass(frozen=True)
class AgentUpdate:
    """A build the service offers (``aos.agent.v1.AgentUpdate``)."""

    version: str
    platform: str
    url: str
    size: int
    sha256: bytes
    signature: bytes

    @classmethod
    def from_proto(cls, message: agent_pb2.AgentUpdate) -> AgentUpdate | None:
        """None when the message is empty (no build offered)."""
        if not message.version:
            return None
        return cls(
            version=message.version,
            platform=message.platform,
            url=message.url,
            size=message.size,
            sha256=bytes(message.sha256),
            signature=bytes(message.signature),
        )


def _version_key(version: str) -> tuple[int, ...]:
    core = version.strip().split("-", 1)[0].split("+", 1)[0]
    try:
        return tuple(int(part) for part in core.split("."))
    except ValueError:
        raise UpdateError(f"{version!r} is not a version (MAJOR.MINOR.PATCH)") from None


def is_newer(offered: str, running: str) -> bool:
    """True when ``offered`` is a later release than ``running`` (pre-release tags ignored: the
    service offers releases only)."""
    return _version_key(offered) > _version_key(running)


@dataclass
class _Partial:
    """The bytes of the build on disk so far and their running SHA-256."""

    written: int = 0
    digest: Any = field(default_factory=hashlib.sha256)


class _Retryable(Exception):
    """This attempt ended early (connection cut, server busy); another may resume it."""


def _resume_start(answer: httpx.Response, *, offset: int, size: int) -> int | None:
    """The position the answer's body starts at: 0 for a 200 (the whole file), ``offset`` for
    a 206 of exactly ``bytes offset-(size-1)/size``; None for a 206 that is not the part asked
    for (the download then starts again)."""
    if answer.status_code == 200:
        return 0
    stated = answer.headers.get("Content-Range", "")
    return offset if stated == f"bytes {offset}-{size - 1}/{size}" else None


def _fetch(
    client: httpx.Client,
    update: AgentUpdate,
    out: BinaryIO,
    partial: _Partial,
    progress: Callable[[int, int], None],
) -> None:
    """One attempt: ask for the bytes after ``partial.written`` (the whole file when none)
    and append them to ``out``. Raises _Retryable when the attempt may be repeated, UpdateError
    when it may not."""
    headers: dict[str, str] = {}
    if partial.written:
        headers["Range"] = f"bytes={partial.written}-"
        # Our service's ETag is the build's SHA-256: should the file behind the URL have
        # changed, it sends the whole new one (and the checks below refuse it).
        headers["If-Range"] = f'"{update.sha256.hex()}"'
    with client.stream("GET", update.url, headers=headers) as answer:
        if answer.status_code in _RETRY_STATUSES:
            raise _Retryable(f"HTTP {answer.status_code}")
        start = None
        if answer.status_code in (200, 206):
            start = _resume_start(answer, offset=partial.written, size=update.size)
        elif answer.status_code != 416 or not partial.written:
            raise UpdateError(
                f"downloading agent {update.version} from {update.url}: HTTP {answer.status_code}"
            )
        if start != partial.written:
            # A whole file, a part we did not ask for, or 416: start again from byte 0.
            out.seek(0)
            out.truncate()
            partial.written, partial.digest = 0, hashlib.sha256()
            if start is None:
                raise _Retryable(f"HTTP {answer.status_code} to a resume; starting again")
        # As received, not gathered into fixed-size chunks: bytes that arrived before a cut
        # are kept (and not asked for again).
        for chunk in answer.iter_bytes():
            if partial.written + len(chunk) > update.size:
                raise UpdateError(
                    f"agent {update.version}: the download is larger than the {update.size} "
                    "bytes offered"
                )
            out.write(chunk)
            partial.digest.update(chunk)
            partial.written += len(chunk)
            progress(partial.written, update.size)


def download_update(
    client: httpx.Client,
    update: AgentUpdate,
    *,
    executable: Path,
    release_key: Ed25519PublicKey,
    attempts: int = DOWNLOAD_ATTEMPTS,
    retry_delay: float = RETRY_DELAY_SECONDS,
    progress: Callable[[int, int], None] = lambda _done, _total: None,
    report: Callable[[str], None] = lambda _line: None,
) -> Path:
    """Download the build to ``<executable>.update`` and verify it; return that path.

    A download cut short (connection lost, timeout, HTTP 5xx) is resumed from the bytes on
    disk with a Range request, up to ``attempts`` requests in all, ``retry_delay`` seconds
    (doubling, at most 30) apart. ``progress(bytes_so_far, size)`` is called per chunk and
    ``report`` gets a line per interruption. Blocking: run it in a thread.

    Raises UpdateError (and leaves no file behind) when the download fails for good, or the
    file's size, SHA-256 or release signature is not the offer's."""
    if not 0 < update.size <= MAX_BUILD_SIZE:
        raise UpdateError(f"the offered build's size {update.size} is not that of an agent build")
    target = executable.with_name(executable.name + UPDATE_SUFFIX)
    partial = _Partial()
    try:
        with target.open("wb") as out:
            for attempt in range(1, attempts + 1):
                try:
                    _fetch(client, update, out, partial, progress)
                except (httpx.TransportError, _Retryable) as exc:
                    if attempt == attempts:
                        raise UpdateError(
                            f"downloading agent {update.version}: {exc} (gave up after "
                            f"{attempts} attempts, {partial.written} of {update.size} bytes)"
                        ) from exc
                    report(
                        f"agent {update.version}: download interrupted at {partial.written} of "
                        f"{update.size} bytes ({exc}); resuming, attempt {attempt + 1} of "
                        f"{attempts}"
                    )
                    time.sleep(min(retry_delay * 2 ** (attempt - 1), 30.0))
                    continue
                if partial.written == update.size:
                    break
                # Otherwise the server ended the body early but cleanly (an answer without a
                # length): the next attempt resumes as after a cut.
            flush_to_disk(out)
        if partial.written != update.size:
            raise UpdateError(
                f"agent {update.version}: {partial.written} bytes downloaded, {update.size} offered"
            )
        if partial.digest.digest() != update.sha256:
            raise UpdateError(f"agent {update.version}: the download's SHA-256 is not the offer's")
        try:
            release_key.verify(update.signature, target.read_bytes())
        except InvalidSignature:
            raise UpdateError(
                f"agent {update.version}: the release signature does not verify; not installed"
            ) from None
    except httpx.HTTPError as exc:
        target.unlink(missing_ok=True)
        raise UpdateError(f"downloading agent {update.version}: {exc}") from exc
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def install_update(
    client: httpx.Client,
    update: AgentUpdate,
    *,
    executable: Path,
    release_key: Ed25519PublicKey,
    platform: str = PLATFORM,
    **download: Any,
) -> None:
    """Download, verify and put the offered build in place of ``executable``. The running
    process goes on as the old version until it is started again. ``download`` goes to
    ``download_update`` (attempts, retry_delay, progress, report)."""
    new = download_update(
        client, update, executable=executable, release_key=release_key, **download
    )
    try:
        replace_executable(executable, new, platform=platform)
    finally:
        new.unlink(missing_ok=True)


class SelfUpdater:
    """Installs the builds the service offers over ``executable`` (the running single-file
    agent), at most once per process: the new version runs from the next start."""

    def __init__(
        self,
        executable: Path,
        *,
        release_key: Ed25519PublicKey,
        running_version: str,
        client_factory: Callable[[], httpx.Client] = lambda: httpx.Client(timeout=60),
        platform: str = PLATFORM,
        report: Callable[[str], None] = lambda _line: None,
        retry_delay: float = RETRY_DELAY_SECONDS,
    ) -> None:
        self.executable = executable
        self._retry_delay = retry_delay
        self._report = report
        self._release_key = release_key
        self._running_version = running_version
        self._client_factory = client_factory
        self._platform = platform
        self.installed: str | None = None

    async def consider(self, message: agent_pb2.AgentUpdate) -> bool:
        """Install the offered build when it is newer than this agent (and none was installed
        yet); True when it was. A build that fails a check is logged and left: the agent
        goes on as it is."""
        update = AgentUpdate.from_proto(message)
        if update is None or self.installed is not None:
            return False
        try:
            if not is_newer(update.version, self._running_version):
                return False
            await asyncio.to_thread(self._install, update)
        except (UpdateError, OSError) as exc:
            self._report(f"agent {update.version} offered but not installed: {exc}")
            return False
        self._report(f"agent {update.version} installed as {self.executable}")
        self.installed = update.version
        return True

    def _install(self, update: AgentUpdate) -> None:
        with self._client_factory() as client:
            install_update(
                client,
                update,
                executable=self.executable,
                release_key=self._release_key,
                platform=self._platform,
                retry_delay=self._retry_delay,
                progress=_ProgressLines(update, self._report),
                report=self._report,
            )


class _ProgressLines:
    """Reports a download's progress as a line at each tenth of it (a build is tens of MB: a
    line per chunk would flood the console)."""

    def __init__(self, update: AgentUpdate, report: Callable[[str], None]) -> None:
        self._update = update
        self._report = report
        self._shown = 0  # tenths reported so far

    def __call__(self, done: int, total: int) -> None:
        tenths = done * 10 // total
        if tenths > self._shown:
            self._shown = tenths
            self._report(
                f"agent {self._update.version}: downloaded {tenths * 10}% "
                f"({done / 1e6:.1f} of {total / 1e6:.1f} MB)"
            )
