"""What a login's User-Agent says about the device and browser, for the "my logins" list.

Parsed with ua-parser (the uap-core rules that browserscope started; its rules package is
released monthly), not by hand: User-Agent strings are a moving target of historic lies
("Mozilla/5.0 ... like Gecko ... Safari"), and a hand parser would go stale within a year.
The result is only shown to the user; nothing is decided on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ua_parser import parse

__all__ = ["USER_AGENT_MAX", "DeviceDescription", "describe_user_agent"]

# Longer headers are cut before parsing: real ones are a few hundred characters, and the
# parser's regular expressions should not run over kilobytes an attacker chose.
USER_AGENT_MAX = 512

UNKNOWN_DEVICE = "Unknown device"
UNKNOWN_BROWSER = "Unknown browser"


@dataclass(frozen=True)
class DeviceDescription:
    device: str
    browser: str


def _version(family: str, major: str | None) -> str:
    return f"{family} {major}" if major else family


def describe_user_agent(user_agent: str | None) -> DeviceDescription:
    """E.g. ``Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 ...) ... Safari/604.1`` →
    device ``iPhone (iOS 17)``, browser ``Mobile Safari 17``. Unknown parts say so."""
    if not user_agent or not user_agent.strip():
        return DeviceDescription(UNKNOWN_DEVICE, UNKNOWN_BROWSER)
    return _describe(user_agent[:USER_AGENT_MAX])


# The few browsers of a workshop log in again and again: parse each string once.
@lru_cache(maxsize=1024)
def _describe(user_agent: str) -> DeviceDescription:
    result = parse(user_agent)
    system = _version(result.os.family, result.os.major) if result.os else None
    hardware = result.device.family if result.device and result.device.family != "Other" else None
    if hardware and system:
        device = f"{hardware} ({system})"
    else:
        device = hardware or system or UNKNOWN_DEVICE
    browser = UNKNOWN_BROWSER
    if result.user_agent is not None:
        browser = _version(result.user_agent.family, result.user_agent.major)
    return DeviceDescription(device, browser)
