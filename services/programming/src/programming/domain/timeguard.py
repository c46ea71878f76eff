"""Flash-safe time: a job starts only when the PROGRAMMING pass outlasts it.

Passes are windows ``[valid_from, valid_until)``. Billing issues a new pass right after the
current one, so windows that touch or overlap form one stretch of paid time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["EXPIRED_DETAIL", "TimeCheck", "Window", "check_job_fits", "paid_until"]

EXPIRED_DETAIL = "programming time expired: buy more time"


@dataclass(frozen=True)
class Window:
    valid_from: datetime
    valid_until: datetime


@dataclass(frozen=True)
class TimeCheck:
    allowed: bool
    seconds_left: float
    seconds_needed: float


def paid_until(windows: list[Window], *, now: datetime) -> datetime | None:
    """The end of the contiguous paid stretch that contains ``now``; None when ``now`` is in
    no window."""
    cursor: datetime | None = None
    for window in sorted(windows, key=lambda w: w.valid_from):
        if window.valid_until <= now:
            continue
        if cursor is None:
            if window.valid_from > now:
                return None
            cursor = window.valid_until
        elif window.valid_from <= cursor:
            cursor = max(cursor, window.valid_until)
        else:
            break
    return cursor


def check_job_fits(
    windows: list[Window], *, now: datetime, estimate_seconds: float, margin_seconds: float
) -> TimeCheck:
    """Allowed when the paid time left is at least the job's estimate plus the margin."""
    end = paid_until(windows, now=now)
    left = (end - now).total_seconds() if end is not None else 0.0
    needed = estimate_seconds + margin_seconds
    return TimeCheck(allowed=left >= needed, seconds_left=left, seconds_needed=needed)
