"""Single-file builds of the VCI agent: their file names and which one to offer an agent.

A build's file name is ``aos-vci-agent-<version>-<platform>`` (``.exe`` on Windows), as the
agent's packaging writes it (``make agent-dist``); the platform is ``<os>-<architecture>``.
The agent names its own platform the same way in Hello.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Protocol, TypeVar

from programming.domain.versions import version_key

__all__ = ["BuildName", "Versioned", "newest_offer", "parse_build_name"]

_BUILD_NAME: Final = re.compile(
    r"^aos-vci-agent-(?P<version>\d+\.\d+\.\d+)-(?P<platform>[a-z]+-[a-z0-9_]+)(?P<exe>\.exe)?$"
)


@dataclass(frozen=True)
class BuildName:
    version: str
    platform: str


def parse_build_name(file_name: str) -> BuildName | None:
    """The version and platform a build file's name states; None for any other file (its
    ``.sha256``, a README). A Windows build must end in ``.exe``, and only it may."""
    match = _BUILD_NAME.match(file_name)
    if match is None:
        return None
    platform = match["platform"]
    if platform.startswith("windows-") != (match["exe"] is not None):
        return None
    return BuildName(version=match["version"], platform=platform)


class Versioned(Protocol):
    """A build as the offer sees it (a stored row or a parsed name)."""

    @property
    def version(self) -> str: ...

    @property
    def platform(self) -> str: ...


B = TypeVar("B", bound=Versioned)


def newest_offer(builds: Iterable[B], *, platform: str, running_version: str) -> B | None:
    """The newest build for ``platform`` that is newer than ``running_version``; None when the
    agent is up to date, names no platform (it runs from source), or its version is not one."""
    if not platform:
        return None
    try:
        running = version_key(running_version)
    except ValueError:
        return None
    candidates = [
        build
        for build in builds
        if build.platform == platform and version_key(build.version) > running
    ]
    return max(candidates, key=lambda build: version_key(build.version), default=None)
