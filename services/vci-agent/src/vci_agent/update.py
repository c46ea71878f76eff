"""The agent replaces itself with a newer single-file build the service offers.

The programming service offers a build (in Welcome, or in UpgradeRequired when this agent is too
old to talk to it) with its version, platform, size, SHA-256 and an Ed25519 signature by the
release key, the same key that signs ECU images and whose public half the agent got at pairing.
The agent then:

1. downloads the build next to its own executable (same folder, so the final rename stays on one
   file system), as ``<executable>.update``, checking size and SHA-256;
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

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
_CHUNK: Final = 1 << 16
# An agent build is a few tens of MB; anything far larger is not one.
MAX_BUILD_SIZE: Final = 512 * 1024 * 1024


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


def download_update(
    client: httpx.Client,
    update: AgentUpdate,
    *,
    executable: Path,
    release_key: Ed25519PublicKey,
) -> Path:
    """Download the build to ``<executable>.update`` and verify it; return that path.

    Raises UpdateError (and leaves no file behind) when the download fails, or the file's size,
    SHA-256 or release signature is not the offer's."""
    if not 0 < update.size <= MAX_BUILD_SIZE:
        raise UpdateError(f"the offered build's size {update.size} is not that of an agent build")
    target = executable.with_name(executable.name + UPDATE_SUFFIX)
    digest = hashlib.sha256()
    written = 0
    try:
        with client.stream("GET", update.url) as answer, target.open("wb") as out:
            if answer.status_code != 200:
                raise UpdateError(
                    f"downloading agent {update.version} from {update.url}: HTTP "
                    f"{answer.status_code}"
                )
            for chunk in answer.iter_bytes(_CHUNK):
                written += len(chunk)
                if written > update.size:
                    raise UpdateError(
                        f"agent {update.version}: the download is larger than the {update.size} "
                        "bytes offered"
                    )
                digest.update(chunk)
                out.write(chunk)
            flush_to_disk(out)
        if written != update.size:
            raise UpdateError(
                f"agent {update.version}: {written} bytes downloaded, {update.size} offered"
            )
        if digest.digest() != update.sha256:
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
) -> None:
    """Download, verify and put the offered build in place of ``executable``. The running
    process goes on as the old version until it is started again."""
    new = download_update(client, update, executable=executable, release_key=release_key)
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
    ) -> None:
        self.executable = executable
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
            )
