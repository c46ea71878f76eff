"""Which build of the agent this is: its version and platform tag, and the file name of a build.

One place for the names that the packaging (``make agent-dist``), the programming service's
list of agent builds and the agent's update check must agree on, e.g.
``aos-vci-agent-0.1.0-linux-x86_64`` or ``aos-vci-agent-0.1.0-windows-x86_64.exe``.
"""

from __future__ import annotations

import platform as _host
import sys
from typing import Final

from vci_agent.link import AGENT_VERSION
from vci_agent.platform import APP_NAME, PLATFORM, is_windows

__all__ = ["AGENT_VERSION", "build_file_name", "build_platform", "running_frozen"]

# Machine names as the OSes report them, folded into one spelling per architecture.
_ARCHITECTURES: Final = {
    "x86_64": "x86_64",
    "amd64": "x86_64",
    "x64": "x86_64",
    "aarch64": "arm64",
    "arm64": "arm64",
}


def build_platform(*, platform: str = PLATFORM, machine: str | None = None) -> str:
    """``<os>-<architecture>``: ``windows-x86_64``, ``linux-x86_64``, ``macos-arm64``, …"""
    if is_windows(platform):
        os_name = "windows"
    elif platform == "darwin":
        os_name = "macos"
    else:
        os_name = platform.rstrip("0123456789")  # "linux", "freebsd14" -> "freebsd"
    raw = (machine if machine is not None else _host.machine()).lower()
    return f"{os_name}-{_ARCHITECTURES.get(raw, raw)}"


def build_file_name(
    version: str = AGENT_VERSION, *, platform_tag: str | None = None, platform: str = PLATFORM
) -> str:
    """The single-file build's name; ``.exe`` on Windows, where the file must carry it."""
    tag = platform_tag if platform_tag is not None else build_platform(platform=platform)
    suffix = ".exe" if tag.startswith("windows-") else ""
    return f"{APP_NAME}-{version}-{tag}{suffix}"


def running_frozen() -> bool:
    """True in the single-file build (PyInstaller sets ``sys.frozen``), False from source."""
    return bool(getattr(sys, "frozen", False))
