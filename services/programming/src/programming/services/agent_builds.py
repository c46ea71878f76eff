"""The VCI agent's single-file builds: published from a folder, listed, served and offered.

At start the service publishes the builds it finds in ``PROGRAMMING_AGENT_BUILDS_DIR`` (what
``make agent-dist`` leaves in ``dist/``): each file named like a build, whose ``.sha256`` file
(when present) agrees with its bytes, is signed with the release key (the key of the ECU
images, whose public half agents get at pairing) and stored, once per version and platform.
Any replica (or ``programming publish``-style tooling) may add builds while others run, so the
list comes from the database on use: ``AgentBuilds`` keeps it for a few seconds
(``PROGRAMMING_AGENT_BUILDS_CACHE_SECONDS``) so that a burst of reconnecting agents costs one
query, and every replica offers a new build within that time.

A build's file is served from PostgreSQL in slices (``stream_agent_build``), each read in a
short transaction of its own: a download holds neither the whole file in memory nor a pooled
connection for as long as a slow workshop line takes.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncSession

from aos.agent.v1 import agent_pb2
from programming.db.agent_builds import AgentBuildRepository
from programming.db.models import AgentBuild
from programming.domain.agent_builds import newest_offer, parse_build_name
from programming.errors import AgentBuildNotFoundError
from servicekit.db import Database
from servicekit.logging import get_logger

__all__ = [
    "AgentBuildInfo",
    "AgentBuilds",
    "BuildFile",
    "BuildFileError",
    "find_agent_build",
    "load_agent_builds",
    "publish_agent_builds",
    "read_build_files",
    "stream_agent_build",
]

# Bytes read from PostgreSQL per query while a build is served: small next to a build (tens
# of MB), large enough that a download is a few dozen queries.
STREAM_CHUNK_BYTES: Final = 1 << 20

log = get_logger(__name__)


class BuildFileError(RuntimeError):
    """A file in the builds folder cannot be published; the message says which and why."""


@dataclass(frozen=True)
class AgentBuildInfo:
    id: uuid.UUID
    version: str
    platform: str
    file_name: str
    size: int
    sha256: bytes
    signature: bytes
    created_at: datetime

    @classmethod
    def of(cls, row: AgentBuild) -> AgentBuildInfo:
        return cls(
            id=row.id,
            version=row.version,
            platform=row.platform,
            file_name=row.file_name,
            size=row.size,
            sha256=row.sha256,
            signature=row.signature,
            created_at=row.created_at,
        )


def _stated_sha256(build: Path) -> bytes | None:
    """The SHA-256 in ``<build>.sha256`` (``sha256sum`` format), None without that file."""
    checksum = build.with_name(build.name + ".sha256")
    if not checksum.is_file():
        return None
    text = checksum.read_text().split()
    try:
        return bytes.fromhex(text[0]) if text else b""
    except ValueError:
        return b""


@dataclass(frozen=True)
class BuildFile:
    file_name: str
    version: str
    platform: str
    content: bytes


def read_build_files(directory: Path) -> list[BuildFile]:
    """The files of ``directory`` named like builds, checked against their ``.sha256``."""
    if not directory.is_dir():
        raise BuildFileError(
            f"PROGRAMMING_AGENT_BUILDS_DIR: {directory} is not a folder; run make agent-dist "
            "or unset it"
        )
    found: list[BuildFile] = []
    for path in sorted(directory.iterdir()):
        name = parse_build_name(path.name)
        if name is None or not path.is_file():
            continue
        content = path.read_bytes()
        stated = _stated_sha256(path)
        if stated is not None and stated != hashlib.sha256(content).digest():
            raise BuildFileError(
                f"{path.name}: its SHA-256 is not the one in {path.name}.sha256; rebuild it "
                "(make agent-dist) or remove it from the builds folder"
            )
        found.append(BuildFile(path.name, name.version, name.platform, content))
    return found


async def publish_agent_builds(
    session: AsyncSession, directory: Path, *, key: Ed25519PrivateKey
) -> list[str]:
    """Sign and store the builds in ``directory`` not stored yet; return their file names.
    Raises BuildFileError when the folder is missing or a build's ``.sha256`` disagrees with
    its bytes (nothing is stored then)."""
    repository = AgentBuildRepository(session)
    added: list[str] = []
    for build in await asyncio.to_thread(read_build_files, directory):
        row = AgentBuild(
            id=uuid.uuid4(),
            version=build.version,
            platform=build.platform,
            file_name=build.file_name,
            content=build.content,
            size=len(build.content),
            sha256=hashlib.sha256(build.content).digest(),
            signature=key.sign(build.content),
            created_at=datetime.now(UTC),
        )
        if await repository.add_if_missing(row):
            added.append(build.file_name)
    return added


async def load_agent_builds(session: AsyncSession) -> list[AgentBuildInfo]:
    return [AgentBuildInfo.of(row) for row in await AgentBuildRepository(session).all()]


async def find_agent_build(session: AsyncSession, build_id: uuid.UUID) -> AgentBuildInfo:
    """The build (without its bytes); raises AgentBuildNotFoundError."""
    found = await AgentBuildRepository(session).find(build_id)
    if found is None:
        raise AgentBuildNotFoundError(f"There is no agent build {build_id}.")
    return AgentBuildInfo.of(found)


async def stream_agent_build(
    database: Database,
    build_id: uuid.UUID,
    *,
    first: int,
    last: int,
    chunk_bytes: int = STREAM_CHUNK_BYTES,
) -> AsyncIterator[bytes]:
    """Bytes ``first`` to ``last`` (inclusive) of the build's file, ``chunk_bytes`` at most at
    a time, each slice read in a transaction of its own. Raises AgentBuildNotFoundError when
    the build disappears, or its file ends, before ``last`` (the response is then cut short,
    which the client sees as an incomplete download and resumes)."""
    offset = first
    while offset <= last:
        length = min(chunk_bytes, last + 1 - offset)
        async with database.transaction() as session:
            piece = await AgentBuildRepository(session).read_slice(
                build_id, offset=offset, length=length
            )
        if not piece:
            raise AgentBuildNotFoundError(f"The agent build {build_id} ended at byte {offset}.")
        yield piece
        offset += len(piece)


class AgentBuilds:
    """The builds this replica lists and offers to agents: read from the database at most
    every ``cache_seconds`` (0: on every use), so a build any replica published is offered
    by all of them."""

    def __init__(
        self,
        database: Database,
        *,
        public_base_url: str,
        cache_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.public_base_url = public_base_url
        self._database = database
        self._cache_seconds = cache_seconds
        self._monotonic = monotonic
        self._builds: Sequence[AgentBuildInfo] = ()
        self._read_at: float | None = None
        # One read at a time: agents reconnecting together after an outage wait for it
        # rather than each querying.
        self._lock = asyncio.Lock()

    def forget(self) -> None:
        """Read the list again at the next use (this replica just published builds)."""
        self._read_at = None

    async def current(self) -> Sequence[AgentBuildInfo]:
        """Every build, newest first (as ``load_agent_builds``), at most ``cache_seconds`` old."""
        async with self._lock:
            now = self._monotonic()
            if self._read_at is None or now - self._read_at >= self._cache_seconds:
                async with self._database.transaction() as session:
                    self._builds = await load_agent_builds(session)
                self._read_at = now
            return self._builds

    def file_url(self, build: AgentBuildInfo) -> str:
        return f"{self.public_base_url.rstrip('/')}/agent-builds/{build.id}/file"

    async def offer(self, hello: agent_pb2.Hello) -> agent_pb2.AgentUpdate | None:
        """The newest build for the agent's platform newer than the agent, as a proto."""
        if not hello.agent_platform:
            return None  # an agent run from source: nothing to offer, no query
        build = newest_offer(
            await self.current(),
            platform=hello.agent_platform,
            running_version=hello.agent_version,
        )
        if build is None:
            return None
        return agent_pb2.AgentUpdate(
            version=build.version,
            platform=build.platform,
            url=self.file_url(build),
            size=build.size,
            sha256=build.sha256,
            signature=build.signature,
        )
