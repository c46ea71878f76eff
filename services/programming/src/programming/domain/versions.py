"""Semantic versions of ECU software (``MAJOR.MINOR.PATCH``, optional ``-pre``)."""

from __future__ import annotations

import re

__all__ = ["is_older", "version_key"]

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$")


def version_key(version: str) -> tuple[int, int, int, int, str]:
    """A sort key; a pre-release sorts before its release. Raises ValueError if malformed."""
    match = _VERSION.match(version.strip())
    if match is None:
        raise ValueError(f"{version!r} is not a semantic version (MAJOR.MINOR.PATCH)")
    major, minor, patch, pre = match.groups()
    return (int(major), int(minor), int(patch), 0 if pre else 1, pre or "")


def is_older(installed: str, target: str) -> bool:
    """True when ``installed`` is older than ``target``; an unreadable installed version
    counts as older (it is reflashed rather than trusted)."""
    try:
        installed_key = version_key(installed)
    except ValueError:
        return True
    return installed_key < version_key(target)
