"""When a pass may be cancelled and credited: never used, and asked for within the refund
period after it was bought."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

__all__ = ["RefundRefusal", "refund_refusal"]


class RefundRefusal(StrEnum):
    ALREADY_REFUNDED = "already-refunded"
    PERIOD_OVER = "refund-period-over"
    USED = "pass-used"


def refund_refusal(
    *,
    paid_at: datetime,
    now: datetime,
    period: timedelta,
    refunded: bool,
    used: bool,
) -> RefundRefusal | None:
    """Why the pass may not be refunded, or None when it may. Checked in this order: a
    refund twice, then the period, then use."""
    if refunded:
        return RefundRefusal.ALREADY_REFUNDED
    if now >= paid_at + period:
        return RefundRefusal.PERIOD_OVER
    if used:
        return RefundRefusal.USED
    return None
