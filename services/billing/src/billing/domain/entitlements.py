"""Entitlement windows: when a pass may be used.

A window is the half-open interval ``[valid_from, valid_until)`` of one scope for one
organisation. Windows of the same organisation and scope form chains: a new pass starts where
the latest one ends (or now, when that one is over), so buying more time never leaves a gap and
never counts the same second twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["Window", "chain_end", "next_window", "seconds_until"]


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


def seconds_until(moment: datetime, *, now: datetime) -> int:
    """Whole seconds from ``now`` to ``moment``, 0 when ``moment`` is not in the future."""
    return max(0, int((moment - now).total_seconds()))


@dataclass(frozen=True)
class Window:
    """``[valid_from, valid_until)``, timezone-aware. Raises ValueError when empty or naive."""

    valid_from: datetime
    valid_until: datetime

    def __post_init__(self) -> None:
        _require_aware("valid_from", self.valid_from)
        _require_aware("valid_until", self.valid_until)
        if self.valid_until <= self.valid_from:
            raise ValueError("a window must end after it starts")

    def is_active(self, now: datetime) -> bool:
        return self.valid_from <= now < self.valid_until

    def seconds_left(self, now: datetime) -> int:
        """Usable seconds of this window from ``now`` on: all of it when it has not started
        yet (a queued pass), 0 when it is over."""
        return seconds_until(self.valid_until, now=max(now, self.valid_from))


def next_window(
    *, now: datetime, latest_valid_until: datetime | None, duration_seconds: int
) -> Window:
    """The window of a new pass of ``duration_seconds``.

    It starts at the end of the latest window of the same organisation and scope when that one
    is still running or queued, else now. Raises ValueError for a non-positive duration.
    """
    _require_aware("now", now)
    if duration_seconds <= 0:
        raise ValueError(f"duration must be positive, got {duration_seconds} s")
    valid_from = now if latest_valid_until is None else max(now, latest_valid_until)
    return Window(valid_from, valid_from + timedelta(seconds=duration_seconds))


def chain_end(windows: Iterable[Window], *, now: datetime) -> datetime | None:
    """The end of the continuous coverage that contains ``now``, following windows that start
    where (or before) the previous one ends; None when no window covers ``now``."""
    end: datetime | None = None
    for window in sorted(windows, key=lambda w: w.valid_from):
        if end is None:
            if window.is_active(now):
                end = window.valid_until
        elif window.valid_from <= end:
            end = max(end, window.valid_until)
        else:
            break
    return end
