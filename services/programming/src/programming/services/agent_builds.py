"""The VCI agent's single-file builds: published from a folder, listed, served and offered.

At start the service publishes the builds it finds in ``PROGRAMMING_AGENT_BUILDS_DIR`` (what
``make agent-dist`` leaves in ``dist/``): each file named like a build, whose ``.sha256`` file
(when present) agrees with its bytes, is signed with the release key (the key of the ECU
images, whose public half agents get at pairing) and stored, once per version and platform.
Builds change only at a start, so each replica keeps their list in memory (``AgentBuilds``)
and an agent's Hello is answered without a database read.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncSession

from aos.agent.v1 import agent_pb2
from programming.db.agent_builds import AgentBuildRepository
from programming.db.models import AgentBuild
from programming.domain.agent_builds import newest_offer, parse_build_name
from programming.errors import AgentBuildNotFoundError
from servicekit.logging import get_logger

__all__ = [
    "AgentBuildInfo",
    "AgentBuilds",
    "BuildFile",
    "BuildFileError",
    "load_agent_builds",
    "publish_agent_builds",
    "read_agent_build",
    "read_build_files",
]

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


async def read_agent_build(session: AsyncSession, build_id: uuid.UUID) -> tuple[AgentBuild, bytes]:
    """The build and its bytes; raises AgentBuildNotFoundError."""
    found = await AgentBuildRepository(session).with_content(build_id)
    if found is None:
        raise AgentBuildNotFoundError(f"There is no agent build {build_id}.")
    return found


@dataclass
class AgentBuilds:
    """This replica's list of agent builds (loaded at start) and the offer made to agents."""

    public_base_url: str
    builds: Sequence[AgentBuildInfo] = ()

    def file_url(self, build: AgentBuildInfo) -> str:
        return f"{self.public_base_url.rstrip('/')}/agent-builds/{build.id}/file"

    def offer(self, hello: agent_pb2.Hello) -> agent_pb2.AgentUpdate | None:
        """The newest build for the agent's platform newer than the agent, as a proto."""
        build = newest_offer(
            self.builds, platform=hello.agent_platform, running_version=hello.agent_version
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
