"""The brute-force guard: consecutive failed logins pause one client for one account a while.

The count is kept per account and client (services.login), never per account alone: a lock for
everyone would let anyone lock the owner out with five requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["LOCK_DURATION", "MAX_CONSECUTIVE_FAILURES", "FailureRecord", "record_failure"]

MAX_CONSECUTIVE_FAILURES = 5
LOCK_DURATION = timedelta(minutes=5)


@dataclass(frozen=True)
class FailureRecord:
    failed_count: int
    locked_until: datetime | None


def record_failure(failed_count: int, *, now: datetime) -> FailureRecord:
    """The state of one client's attempts on one account after one more failure.

    The 5th consecutive failure locks the account for 5 minutes and restarts the count, so
    after the lock the guesser again has 5 tries before the next lock: about one guess per
    minute, which makes online guessing hopeless while a real user is never locked out for long.
    """
    count = failed_count + 1
    if count >= MAX_CONSECUTIVE_FAILURES:
        return FailureRecord(failed_count=0, locked_until=now + LOCK_DURATION)
    return FailureRecord(failed_count=count, locked_until=None)
